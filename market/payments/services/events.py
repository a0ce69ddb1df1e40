"""Incoming webhooks: verified from the raw body, stored once, then acted on.

Every event is first committed as a PaymentEvent under the unique
(provider, event_id) constraint; acting on it happens in a second transaction
that locks the event row and sets `processed_at` together with the change it
makes. So a duplicate delivery, even ten at the same moment, changes nothing
more, and a crash between the two steps leaves the event to be processed on
the gateway's next delivery.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from market.payments.bank_feeds import FeedTransfer
from market.payments.models import (
    Payment,
    PaymentEvent,
    PaymentStatus,
    Provider,
    TransferSource,
)
from market.payments.services import transfers
from market.payments.services.cards import payment_set_status
from market.payments.services.orders import (
    order_is_payable,
    order_lock,
    order_mark_paid,
    order_record_refund,
)
from market.payments.services.refunds import refunds_from_gateway
from market.payments.signatures import verify_bank_signature, verify_stripe_signature

logger = logging.getLogger(__name__)


class EventRejected(ValueError):
    """A signed body that is not a usable event (bad JSON, no id, fields of
    the wrong type). The webhook answers 400 and stores nothing."""


# Field lengths of PaymentEvent; longer values are not events we sent for.
_MAX_ID = 100
# Latest event time taken from the gateway (seconds since 1970): year 2100.
_MAX_CREATED = 4_102_444_800


def _json_body(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise EventRejected("body is not JSON") from exc


def _has_nul(value) -> bool:
    """Whether any text in the parsed body holds NUL, which PostgreSQL text
    and jsonb columns refuse."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _is_whole(value) -> bool:
    """A JSON integer: 100000 is, 100000.5, 1e5, "100000" and true are not."""
    return type(value) is int


def _check_gateway_event(payload) -> tuple[str, str]:
    """(event id, type) of a well-formed gateway event, else EventRejected.

    Events we act on must carry the fields their handler reads with the
    types it expects, so acting on a stored event never fails on its shape.
    """
    if not isinstance(payload, dict) or _has_nul(payload):
        raise EventRejected("not a gateway event")
    event_id, event_type = payload.get("id"), payload.get("type")
    for value in (event_id, event_type):
        if not isinstance(value, str) or not 0 < len(value) <= _MAX_ID:
            raise EventRejected("event id and type must be short strings")
    if event_type not in HANDLERS:
        return event_id, event_type
    data = payload.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict) or not isinstance(obj.get("id", ""), str):
        raise EventRejected("event without a data object")
    if event_type == "payment_intent.succeeded" and not _is_whole(obj.get("amount")):
        raise EventRejected("intent amount must be a whole number of dong")
    if event_type == "charge.refunded":
        _check_charge(obj)
    return event_id, event_type


def _check_charge(charge: dict) -> None:
    if not isinstance(charge.get("payment_intent") or "", str):
        raise EventRejected("charge without a payment intent id")
    if not _is_whole(charge.get("amount_refunded") or 0):
        raise EventRejected("amount_refunded must be a whole number")
    refunds = charge.get("refunds") or {}
    listed = refunds.get("data") if isinstance(refunds, dict) else None
    if not isinstance(listed or [], list):
        raise EventRejected("refunds.data must be a list")
    for item in listed or []:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("id", ""), str)
            and _is_whole(item.get("amount") or 0)
            and isinstance(item.get("metadata") or {}, dict)
        ):
            raise EventRejected("malformed refund in the charge")


def _store(*, provider: str, event_id: str, type: str, payload: dict) -> PaymentEvent:
    try:
        with transaction.atomic():
            return PaymentEvent.objects.create(
                provider=provider, event_id=event_id, type=type, payload=payload
            )
    except IntegrityError:
        return PaymentEvent.objects.get(provider=provider, event_id=event_id)


def gateway_event_receive(*, body: bytes, signature: str) -> PaymentEvent:
    """Verify a card-gateway webhook and store it once.

    Raises signatures.SignatureError (forged, or older than 300 s) or
    EventRejected; nothing is stored then.
    """
    verify_stripe_signature(
        payload=body, header=signature, secret=settings.PAYMENT_WEBHOOK_SECRET
    )
    payload = _json_body(body)
    event_id, event_type = _check_gateway_event(payload)
    return _store(
        provider=Provider.CARD, event_id=event_id, type=event_type, payload=payload
    )


def bank_notification_receive(*, body: bytes, signature: str) -> PaymentEvent:
    """Verify a bank notification (HMAC of the raw body) and store it once,
    keyed by the bank's transaction id."""
    verify_bank_signature(
        payload=body, header=signature, secret=settings.BANK_WEBHOOK_SECRET
    )
    payload = _json_body(body)
    if not isinstance(payload, dict) or _has_nul(payload):
        raise EventRejected("not a bank notification")
    try:
        transfers.notification_fields(payload)
    except (ValueError, KeyError, TypeError) as exc:
        raise EventRejected(f"not a bank notification: {exc}") from exc
    return _store(
        provider=Provider.VIETQR,
        event_id=str(payload["transaction_id"]),
        type="bank.transfer",
        payload=payload,
    )


def bank_feed_receive(*, source: str, items: list[FeedTransfer]) -> list[str]:
    """Store each transfer a bank-feed service reported once (keyed by the
    bank's transaction id, as the generic notification is) and act on it.
    A transfer reported again, by a retry or by another feed, changes
    nothing. Raises EventRejected, storing nothing, if any item is off."""
    payloads = [item.as_notification(source=source) for item in items]
    try:
        for payload in payloads:
            transfers.notification_fields(payload)
    except (ValueError, KeyError, TypeError) as exc:
        raise EventRejected(f"not a transfer: {exc}") from exc
    outcomes = []
    for payload in payloads:
        event = _store(
            provider=Provider.VIETQR,
            event_id=payload["transaction_id"],
            type="bank.transfer",
            payload=payload,
        )
        outcomes.append(gateway_event_process(event=event))
    return outcomes


def gateway_event_process(*, event: PaymentEvent) -> str:
    """Act on a stored event once; returns what happened (also stored)."""
    with transaction.atomic():
        locked = PaymentEvent.objects.select_for_update().get(pk=event.pk)
        if locked.processed_at is not None:
            return "duplicate"
        handler = HANDLERS.get(locked.type, _ignore)
        outcome = handler(locked.payload)
        locked.processed_at = timezone.now()
        locked.outcome = outcome[:300]
        locked.save(update_fields=["processed_at", "outcome"])
    logger.info("payment event %s %s: %s", locked.event_id, locked.type, outcome)
    return outcome


# --- handlers: each runs inside the event's transaction ----------------------


def _ignore(payload: dict) -> str:
    return "ignored"


def _event_time(payload: dict) -> datetime:
    created = payload.get("created")
    if _is_whole(created) and 0 < created < _MAX_CREATED:
        return datetime.fromtimestamp(created, tz=UTC)
    return timezone.now()


def _payment_for_intent(intent: dict) -> Payment | None:
    payment = (
        Payment.objects.select_for_update()
        .filter(provider=Provider.CARD, reference=intent.get("id", ""))
        .first()
    )
    if payment is not None:
        return payment
    # The webhook may beat us to storing the intent id: fall back to our own
    # id in the metadata, and only for a payment with no intent yet.
    payment_id = str((intent.get("metadata") or {}).get("payment_id", ""))
    if not payment_id.isdigit():
        return None
    payment = (
        Payment.objects.select_for_update()
        .filter(pk=int(payment_id), provider=Provider.CARD, reference="")
        .first()
    )
    if payment is not None:
        payment.reference = intent["id"]
        payment.save(update_fields=["reference", "updated_at"])
    return payment


def _intent_succeeded(payload: dict) -> str:
    intent = payload["data"]["object"]
    payment = _payment_for_intent(intent)
    if payment is None:
        return f"no payment for {intent.get('id')}"
    # Compared as received: int() would turn 100000.9 into 100000.
    amount = intent.get("amount")
    if (
        not _is_whole(amount)
        or amount != payment.amount_vnd
        or (str(intent.get("currency", "")).lower() != "vnd")
    ):
        return "amount or currency differs from the payment: not applied"
    payment_set_status(
        payment=payment, status=PaymentStatus.SUCCEEDED, client_secret=""
    )
    order = order_lock(order_pk=payment.order_id)
    if order_is_payable(order):
        order_mark_paid(order=order, paid_at=_event_time(payload))
        return "order paid"
    if order.paid_at is not None:
        others = order.payments.filter(status=PaymentStatus.SUCCEEDED).exclude(
            pk=payment.pk
        )
        if others.exists():
            logger.warning("order %s paid twice; refund payment %s", order, payment.pk)
            return "order already paid by another payment: refund needed"
        return "order was already paid"
    # Money taken for an order that is no longer payable (e.g. cancelled when
    # its stock hold ran out): the operator must refund it.
    logger.warning(
        "payment %s succeeded for %s order %s", payment.pk, order.status, order
    )
    return f"order is {order.status}: refund needed"


def _intent_failed(payload: dict) -> str:
    intent = payload["data"]["object"]
    payment = _payment_for_intent(intent)
    if payment is None:
        return f"no payment for {intent.get('id')}"
    error = intent.get("last_payment_error") or {}
    changed = payment_set_status(
        payment=payment,
        status=PaymentStatus.FAILED,
        failure_message=str(error.get("message", ""))[:300],
        client_secret="",
    )
    return "payment failed" if changed else f"payment already {payment.status}"


def _charge_refunded(payload: dict) -> str:
    charge = payload["data"]["object"]
    payment = (
        Payment.objects.select_for_update()
        .filter(provider=Provider.CARD, reference=charge.get("payment_intent") or "")
        .first()
    )
    if payment is None:
        return f"no payment for charge {charge.get('id')}"
    added = refunds_from_gateway(payment=payment, charge=charge)
    if added:
        order = order_lock(order_pk=payment.order_id)
        order_record_refund(order=order, amount_vnd=added)
    return f"refunded {added}"


def _bank_transfer(payload: dict) -> str:
    transfer, _created = transfers.bank_transfer_record(
        **transfers.notification_fields(payload),
        source=payload.get("source", TransferSource.WEBHOOK),
    )
    return f"transfer {transfer.match}"


HANDLERS = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "charge.refunded": _charge_refunded,
    "bank.transfer": _bank_transfer,
}
