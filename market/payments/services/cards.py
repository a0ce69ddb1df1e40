"""Card payments, confirmed by our server (Stripe's server-side confirmation).

The browser saves the card on a SetupIntent with the gateway's JavaScript and
hands us only the `pm_…` id; we create a PaymentIntent with it and confirm.
Card numbers never reach this server. The order becomes paid only when the
gateway's signed `payment_intent.succeeded` webhook arrives (see events.py).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market.checkout.models import OrderStatus, PaymentMethod
from market.checkout.services import (
    order_hold_extend,
    order_lock,
    order_payment_started,
)
from market.payments import gateway
from market.payments.models import (
    PAYMENT_TRANSITIONS,
    Payment,
    PaymentStatus,
    Provider,
)

# Attempts that may still end with money taken: a new one must not start.
OPEN_STATUSES = (PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED)
# How long an unanswered attempt blocks an attempt with another card: longer
# than the gateway timeout, short enough not to lock a shopper out.
IN_FLIGHT = timedelta(seconds=60)


class PaymentNotAllowed(Exception):
    """The order cannot be paid this way now; the message says why (Vietnamese)."""


def new_idempotency_key(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def payment_set_status(*, payment: Payment, status: str, **fields) -> bool:
    """Move a locked payment along PAYMENT_TRANSITIONS; refuse anything else.

    Returns False (and changes nothing) for a move the table does not allow,
    so a late or replayed event can never undo a final state.
    """
    if status != payment.status and status not in PAYMENT_TRANSITIONS[payment.status]:
        return False
    payment.status = status
    for name, value in fields.items():
        setattr(payment, name, value)
    payment.save(update_fields=["status", "updated_at", *fields])
    return True


def card_setup_start(*, order, client: gateway.GatewayClient | None = None):
    """A SetupIntent for the shopper's browser to save a card on.

    Raises PaymentNotAllowed unless the order waits for a card payment.
    """
    _check_card_payable(order)
    client = client or gateway.get_client()
    return client.create_setup_intent(idempotency_key=new_idempotency_key("seti"))


def _check_card_payable(order) -> None:
    if order.payment_method != PaymentMethod.CARD:
        raise PaymentNotAllowed(
            _("Đơn này được trả bằng chuyển khoản, không phải thẻ.")
        )
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentNotAllowed(_("Đơn này không còn chờ thanh toán."))


@transaction.atomic
def _attempt_for(*, order_pk: int, payment_method_ref: str) -> Payment:
    """The payment row for this card on this order, created with its
    idempotency key before any request leaves, or the unfinished one to retry."""
    order = order_lock(order_pk=order_pk)
    _check_card_payable(order)
    if order.payments.filter(status__in=OPEN_STATUSES).exists():
        raise PaymentNotAllowed(
            _("Đơn này đã có một khoản thanh toán đang được ngân hàng xử lý.")
        )
    unfinished = order.payments.filter(
        provider=Provider.CARD,
        payment_method_ref=payment_method_ref,
        status__in=[PaymentStatus.STARTED, PaymentStatus.REQUIRES_ACTION],
    ).first()
    # A card is being tried: the order keeps its full hold.
    order_payment_started(order_pk=order.pk)
    if unfinished is not None:
        return unfinished
    # Another card still on its way to the gateway (e.g. a second tab): wait,
    # or both could be charged.
    if order.payments.filter(
        status=PaymentStatus.STARTED,
        created_at__gt=timezone.now() - IN_FLIGHT,
    ).exists():
        raise PaymentNotAllowed(
            _("Một lần thanh toán khác của đơn này đang được gửi. Hãy đợi một phút.")
        )
    return Payment.objects.create(
        order=order,
        provider=Provider.CARD,
        payment_method_ref=payment_method_ref,
        amount_vnd=order.total_vnd,
        idempotency_key=new_idempotency_key("pay"),
    )


def payment_card_pay(
    *, order, payment_method_ref: str, client: gateway.GatewayClient | None = None
) -> Payment:
    """Charge the order total to a saved card (`pm_…`), at most once.

    The payment row and its idempotency key are committed before the first
    gateway request; a retry after a timeout, 5xx or dropped connection finds
    the same row and sends the same key, so the shopper is never charged twice.
    Raises `gateway.PaymentDeclined` (payment marked failed),
    `gateway.GatewayUnavailable` (payment left to retry) or PaymentNotAllowed.
    The order itself is not changed here: only the signed webhook pays it.
    """
    if not payment_method_ref.startswith("pm_"):
        raise PaymentNotAllowed(_("Thẻ chưa được lưu. Hãy nhập lại thông tin thẻ."))
    payment = _attempt_for(order_pk=order.pk, payment_method_ref=payment_method_ref)
    client = client or gateway.get_client()
    intent = _intent_for(payment, client)
    if intent.status == "requires_confirmation":
        try:
            intent = client.confirm_payment_intent(
                intent.id, idempotency_key=f"{payment.idempotency_key}_confirm"
            )
        except gateway.PaymentDeclined as exc:
            _record_outcome(payment.pk, PaymentStatus.FAILED, failure=exc.message)
            raise
    return _record_intent(payment, intent)


def _intent_for(
    payment: Payment, client: gateway.GatewayClient
) -> gateway.PaymentIntent:
    if payment.reference:
        return client.retrieve_payment_intent(payment.reference)
    intent = client.create_payment_intent(
        amount_vnd=payment.amount_vnd,
        payment_method=payment.payment_method_ref,
        idempotency_key=payment.idempotency_key,
        metadata={"order_number": payment.order.number, "payment_id": str(payment.pk)},
    )
    # Kept at once (own transaction): the webhook looks the payment up by it.
    Payment.objects.filter(pk=payment.pk, reference="").update(reference=intent.id)
    return intent


_INTENT_STATUS = {
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.PROCESSING,  # paid only once the webhook says so
    "requires_payment_method": PaymentStatus.FAILED,
    "canceled": PaymentStatus.CANCELED,
}


def _record_intent(payment: Payment, intent: gateway.PaymentIntent) -> Payment:
    status = _INTENT_STATUS.get(intent.status)
    if status is None:
        return Payment.objects.get(pk=payment.pk)
    if status in (PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING):
        # The bank has it (3-D Secure, or the webhook is on its way): keep the
        # stock held meanwhile. Its own transaction, holding only the order
        # row: this path never holds the order and payment locks together.
        order_hold_extend(
            order_pk=payment.order_id, minutes=settings.ORDER_HOLD_MINUTES
        )
    secret = intent.client_secret if status == PaymentStatus.REQUIRES_ACTION else ""
    return _record_outcome(
        payment.pk, status, failure=intent.last_error, client_secret=secret
    )


@transaction.atomic
def _record_outcome(
    payment_pk: int, status: str, *, failure: str = "", client_secret: str = ""
) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment_pk)
    payment_set_status(
        payment=payment,
        status=status,
        failure_message=failure[:300],
        client_secret=client_secret,
    )
    return payment
