"""A real localstripe server for the payment tests, and signed-event helpers.

localstripe runs in a subprocess bound to 127.0.0.1 on a free port for the
whole session; tests that use it are marked `localstripe` and get the
settings pointed at it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time

import pytest
import requests

from market.payments.signatures import bank_signature, stripe_signature_header
from tests.factories import OrderFactory

WEBHOOK_SECRET = "whsec_test_payments"
BANK_SECRET = "bank_test_payments"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def gateway_url():
    """Start localstripe once per session; stop it at the end."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "market.payments.local_gateway", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{url}/js.stripe.com/v3/", timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def gateway_settings(settings):
    settings.PAYMENT_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.BANK_WEBHOOK_SECRET = BANK_SECRET
    settings.PAYMENT_GATEWAY_TIMEOUT = 5
    return settings


@pytest.fixture
def localstripe(gateway_url, gateway_settings):
    """Settings pointed at the session's localstripe server."""
    gateway_settings.PAYMENT_GATEWAY_URL = gateway_url
    gateway_settings.PAYMENT_GATEWAY_JS_URL = f"{gateway_url}/js.stripe.com/v3/"
    return gateway_url


@contextlib.contextmanager
def webhook_to(live_server, gateway_url):
    """localstripe signs and sends its events to the live server's webhook
    inside the block. localstripe keeps webhooks for its whole session and
    has no way to remove one, so leaving the block narrows this one to no
    events (later tests' events would reach the server while those tests
    run) and waits for the deliveries already on their way."""
    from django.urls import reverse

    from market.payments import gateway
    from tests.live import idle

    name = "tests"
    url = f"{live_server.url}{reverse('payments:gateway_webhook')}"
    gateway.GatewayClient().register_webhook(name=name, url=url, secret=WEBHOOK_SECRET)
    try:
        yield url
    finally:
        requests.post(
            f"{gateway_url}/_config/webhooks/{name}",
            json={"url": url, "secret": WEBHOOK_SECRET, "events": []},
            timeout=5,
        ).raise_for_status()
        idle(live_server)


@pytest.fixture
def gateway_webhook(localstripe, live_server):
    with webhook_to(live_server, localstripe) as url:
        yield url


@pytest.fixture
def card_order(db):
    return OrderFactory(payment_method="card")


@pytest.fixture
def vietqr_order(db):
    return OrderFactory(payment_method="vietqr")


def signed(payload: dict, *, secret: str = WEBHOOK_SECRET, at: int | None = None):
    """Body and headers of a gateway webhook, signed as Stripe signs them."""
    body = json.dumps(payload).encode()
    timestamp = int(time.time()) if at is None else at
    header = stripe_signature_header(payload=body, secret=secret, timestamp=timestamp)
    return body, {"HTTP_STRIPE_SIGNATURE": header}


def bank_signed(payload: dict, *, secret: str = BANK_SECRET):
    body = json.dumps(payload).encode()
    return body, {"HTTP_X_SIGNATURE": bank_signature(payload=body, secret=secret)}


def intent_event(event_id: str, event_type: str, payment, **overrides) -> dict:
    intent = {
        "id": payment.reference,
        "object": "payment_intent",
        "amount": payment.amount_vnd,
        "currency": "vnd",
        "status": "succeeded",
        "metadata": {
            "payment_id": str(payment.pk),
            "order_number": payment.order.number,
        },
    }
    intent.update(overrides)
    return {
        "id": event_id,
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": intent},
    }
