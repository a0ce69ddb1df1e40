"""Outgoing webhooks: signed, stored before they are sent, retried with
exponential backoff, replayable by the operator.

Wire format (documented in docs/fulfilment.md):

    POST <endpoint url>
    Content-Type: application/json
    X-NguonQue-Event-Id: <uuid>            (same on every retry and replay)
    X-NguonQue-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "t.body")>

The receiver recomputes the HMAC over the raw body, compares in constant
time, rejects timestamps older than five minutes and drops event ids it has
already handled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ...retries import attempt_claim
from ..models import DeliveryStatus, Parcel, Partner, WebhookDelivery

SIGNATURE_HEADER = "X-NguonQue-Signature"
EVENT_ID_HEADER = "X-NguonQue-Event-Id"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30  # 30 s, 1 min, 2 min, … ≈ 1 h before giving up


def webhook_sign(*, secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for a body sent at `timestamp`."""
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_verify(
    *,
    secret: str,
    body: bytes,
    header: str,
    tolerance: int = 300,
    now: int | None = None,
) -> bool:
    """What a receiver does: True only for a fresh, matching signature."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = webhook_sign(secret=secret, body=body, timestamp=timestamp)
    return hmac.compare_digest(expected.split("v1=", 1)[1], given)


def parcel_payload(*, parcel: Parcel) -> dict:
    shipment = parcel.shipment
    order = shipment.order
    seller = shipment.seller
    return {
        "tracking_code": parcel.tracking_code,
        "status": parcel.status,
        "order_number": order.number,
        "weight_g": parcel.weight_g,
        "tracking_url": f"{settings.SITE_URL}/buu-dien/kien/{parcel.tracking_code}/",
        "sender": {
            "name": seller.legal_name,
            "phone": seller.phone,
            "province_code": seller.province_code,
            "ward_code": seller.ward_code,
            "address_line": seller.address_line,
        },
        "recipient": {
            "name": order.customer_name,
            "phone": order.phone,
            "province_code": order.province_code,
            "ward_code": order.ward_code,
            "address_line": order.address_line,
        },
    }


def webhook_event_emit(*, partner: Partner, event_type: str, parcel: Parcel) -> list:
    """Store one delivery per active endpoint of the partner and send them
    after the surrounding transaction commits (never for a rolled-back change)."""
    payload = parcel_payload(parcel=parcel)
    deliveries = [
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=event_type,
            payload=payload,
            next_attempt_at=timezone.now(),
        )
        for endpoint in partner.webhooks.filter(is_active=True)
    ]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
    return deliveries


def _enqueue(delivery_id: int, run_after: dt.datetime | None = None) -> None:
    from ..tasks import deliver_webhook

    if run_after is not None:
        if not deliver_webhook.get_backend().supports_defer:
            return  # the periodic retry picks it up (immediate backend)
        deliver_webhook.using(run_after=run_after).enqueue(delivery_id)
        return
    deliver_webhook.enqueue(delivery_id)


def webhook_body(*, delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.event_id),
        "type": delivery.event_type,
        "created": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def _claim(
    *, delivery_id: int, now: dt.datetime, force: bool
) -> WebhookDelivery | None:
    return attempt_claim(
        WebhookDelivery.objects.select_related("endpoint").filter(
            pk=delivery_id, status=DeliveryStatus.PENDING
        ),
        now=now,
        force=force,
        base_seconds=BACKOFF_BASE_SECONDS,
    )


def webhook_delivery_attempt(
    *, delivery_id: int, now: dt.datetime | None = None, force: bool = False
) -> WebhookDelivery | None:
    """Send one due delivery once. A 2xx answer marks it sent; anything else
    is recorded and the next attempt scheduled with exponential backoff, up
    to MAX_ATTEMPTS, after which it is marked failed for the operator."""
    now = now or timezone.now()
    delivery = _claim(delivery_id=delivery_id, now=now, force=force)
    if delivery is None:
        return None
    body = webhook_body(delivery=delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "NguonQue-Webhooks/1",
        EVENT_ID_HEADER: str(delivery.event_id),
        SIGNATURE_HEADER: webhook_sign(
            secret=delivery.endpoint.secret, body=body, timestamp=int(time.time())
        ),
    }
    code, error = None, ""
    try:
        response = requests.post(
            delivery.endpoint.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS
        )
        code = response.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}: {response.text[:200]}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    fields = {"last_response_code": code, "last_error": error}
    if not error:
        fields |= {
            "status": DeliveryStatus.SUCCEEDED,
            "delivered_at": timezone.now(),
            "next_attempt_at": None,
        }
    elif delivery.attempts >= MAX_ATTEMPTS:
        fields |= {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    if delivery.status == DeliveryStatus.PENDING:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


def webhook_deliveries_retry_due(*, now: dt.datetime | None = None) -> int:
    """Attempt every pending delivery whose time has come; returns how many
    were tried. Run periodically (command `retry_webhooks`)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        webhook_delivery_attempt(delivery_id=pk, now=now)
    return len(due)


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> None:
    """Send a delivery again (operator): same event id and body, so a
    receiver that already handled it can drop it."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk))
