"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1 that fails
the first time: signature, retry with backoff, replay, receiver idempotency."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from market.fulfilment.models import DeliveryStatus, WebhookDelivery
from market.fulfilment.services.parcels import parcel_cancel
from market.fulfilment.services.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    webhook_deliveries_retry_due,
    webhook_delivery_replay,
    webhook_verify,
)
from tests.factories import WebhookEndpointFactory, order_with_shipments

pytestmark = pytest.mark.django_db


class Receiver:
    """A partner's endpoint: verifies signatures, answers 500 to the first
    `fail_first` requests, handles each event id once."""

    def __init__(self, secret: str, fail_first: int = 1):
        self.secret = secret
        self.fail_first = fail_first
        self.requests: list[dict] = []
        self.handled: dict[str, dict] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = webhook_verify(
                    secret=receiver.secret,
                    body=body,
                    header=self.headers.get(SIGNATURE_HEADER, ""),
                )
                event_id = self.headers.get(EVENT_ID_HEADER)
                receiver.requests.append({"valid": valid, "event_id": event_id})
                if len(receiver.requests) <= receiver.fail_first:
                    code = 500
                elif not valid:
                    code = 400
                else:
                    receiver.handled.setdefault(event_id, json.loads(body))
                    code = 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"busy")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver(secret="bi-mat-cua-buu-dien")
    yield server
    server.close()


@pytest.fixture
def endpoint(partner_a, receiver):
    return WebhookEndpointFactory(
        partner=partner_a, url=receiver.url, secret=receiver.secret
    )


def test_new_parcel_is_signed_failed_once_then_retried_with_backoff(
    endpoint, receiver, seller
):
    order = order_with_shipments(sellers=[seller])
    parcel = order.shipments.get().parcel

    delivery = WebhookDelivery.objects.get(event_type="parcel.created")
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_response_code == 500
    wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=20) < wait <= dt.timedelta(seconds=30)
    assert receiver.requests == [{"valid": True, "event_id": str(delivery.event_id)}]

    # Not due yet: the periodic retry leaves it alone.
    assert webhook_deliveries_retry_due() == 0
    assert webhook_deliveries_retry_due(now=delivery.next_attempt_at) == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2 and delivery.last_response_code == 200
    body = receiver.handled[str(delivery.event_id)]
    assert body["type"] == "parcel.created"
    assert body["data"]["tracking_code"] == parcel.tracking_code
    assert body["data"]["recipient"]["phone"] == "0987654321"


def test_replay_resends_the_same_event_which_the_receiver_handles_once(
    endpoint, receiver, seller, django_capture_on_commit_callbacks
):
    receiver.fail_first = 0
    order_with_shipments(sellers=[seller])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED

    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_replay(delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 2
    ids = [r["event_id"] for r in receiver.requests]
    assert ids == [str(delivery.event_id)] * 2
    assert len(receiver.handled) == 1


def test_a_wrong_secret_is_caught_by_the_receiver(endpoint, receiver, seller):
    receiver.fail_first = 0
    receiver.secret = "khac"
    order_with_shipments(sellers=[seller])
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests[0]["valid"] is False
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_response_code == 400


def test_signature_rejects_a_changed_body_or_a_stale_timestamp():
    from market.fulfilment.services.webhooks import webhook_sign

    header = webhook_sign(secret="s", body=b'{"a":1}', timestamp=1_000_000)
    assert webhook_verify(secret="s", body=b'{"a":1}', header=header, now=1_000_010)
    assert not webhook_verify(secret="s", body=b'{"a":2}', header=header, now=1_000_010)
    assert not webhook_verify(secret="s", body=b'{"a":1}', header=header, now=1_000_400)


def test_cancelling_a_parcel_sends_a_cancellation(
    endpoint, receiver, seller, django_capture_on_commit_callbacks
):
    receiver.fail_first = 0
    parcel = order_with_shipments(sellers=[seller]).shipments.get().parcel
    with django_capture_on_commit_callbacks(execute=True):
        assert parcel_cancel(parcel=parcel, note="Đơn đã hoàn tiền")
    types = sorted(body["type"] for body in receiver.handled.values())
    assert types == ["parcel.cancelled", "parcel.created"]


def test_gives_up_after_the_last_attempt(endpoint, receiver, seller):
    receiver.fail_first = 100
    order_with_shipments(sellers=[seller])
    delivery = WebhookDelivery.objects.get()
    later = timezone.now()
    while delivery.status == DeliveryStatus.PENDING:
        later += dt.timedelta(days=1)
        webhook_deliveries_retry_due(now=later)
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 8
