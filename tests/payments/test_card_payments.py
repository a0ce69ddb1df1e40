"""Card payments end to end through our views, against a real localstripe."""

import datetime as dt
import time

import pytest
import requests
import responses
from django.urls import reverse
from django.utils import timezone

from market.checkout.models import Order
from market.checkout.services import order_cancel_expired, order_hold_extend
from market.payments.models import Payment, PaymentEvent, PaymentStatus
from tests.live import idle

from .conftest import intent_event, signed, webhook_to


def pay_url(order):
    return reverse("payments:card_pay", kwargs={"number": order.number})


def pay(client, order, pm="pm_card_visa"):
    return client.post(pay_url(order), {"t": order.access_token, "payment_method": pm})


@pytest.mark.localstripe
def test_card_payment_waits_for_the_webhook_then_the_order_is_paid(
    client, localstripe, card_order
):
    answer = pay(client, card_order)

    payment = Payment.objects.get(order=card_order)
    card_order.refresh_from_db()
    assert answer.status_code == 200
    assert answer.json()["status"] == "processing"
    assert payment.reference.startswith("pi_")
    assert payment.amount_vnd == 150_000
    assert card_order.status == "pending_payment"  # the browser's word is not enough

    body, headers = signed(
        intent_event("evt_paid_1", "payment_intent.succeeded", payment)
    )
    webhook = client.post(
        reverse("payments:gateway_webhook"),
        body,
        content_type="application/json",
        **headers,
    )

    card_order.refresh_from_db()
    payment.refresh_from_db()
    assert webhook.status_code == 200
    assert card_order.status == "paid"
    assert payment.status == PaymentStatus.SUCCEEDED


@pytest.mark.localstripe
def test_declined_card_tells_the_shopper_and_leaves_the_order_waiting(
    client, localstripe, card_order
):
    answer = pay(client, card_order, pm="pm_card_chargeCustomerFail")

    card_order.refresh_from_db()
    assert answer.status_code == 402
    assert "từ chối" in answer.json()["message"]
    assert Payment.objects.get(order=card_order).status == PaymentStatus.FAILED
    assert card_order.status == "pending_payment"


@pytest.mark.localstripe
def test_a_new_card_after_a_decline_is_a_new_attempt(client, localstripe, card_order):
    pay(client, card_order, pm="pm_card_chargeCustomerFail")

    answer = pay(client, card_order, pm="pm_card_visa")

    assert answer.json()["status"] == "processing"
    keys = set(
        Payment.objects.filter(order=card_order).values_list(
            "idempotency_key", flat=True
        )
    )
    assert len(keys) == 2


@pytest.mark.localstripe
def test_3d_secure_card_sends_the_browser_the_client_secret(
    client, localstripe, card_order
):
    pm = requests.post(
        f"{localstripe}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": "4000002760003184",
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
        },
        headers={"Authorization": "Bearer sk_test_x"},
        timeout=5,
    ).json()["id"]

    answer = pay(client, card_order, pm=pm)

    payment = Payment.objects.get(order=card_order)
    assert answer.json() == {
        "status": "requires_action",
        "client_secret": payment.client_secret,
    }
    assert payment.client_secret.startswith(payment.reference)


@pytest.mark.localstripe
def test_a_hold_about_to_expire_is_renewed_while_the_bank_checks_the_card(
    client, localstripe, card_order, settings
):
    # The shopper reached the card form with a minute of hold left; 3-D
    # Secure and the webhook can take longer than that.
    soon = timezone.now() + dt.timedelta(minutes=1)
    Order.objects.filter(pk=card_order.pk).update(hold_until=soon)

    answer = pay(client, card_order)

    assert answer.json()["status"] == "processing"
    card_order.refresh_from_db()
    fresh = timezone.now() + dt.timedelta(minutes=settings.ORDER_HOLD_MINUTES - 1)
    assert card_order.hold_until > fresh
    # ... so the expiry job a few minutes later leaves the order and its stock.
    assert order_cancel_expired(now=soon + dt.timedelta(minutes=2)) == 0
    card_order.refresh_from_db()
    assert card_order.status == "pending_payment"


def test_a_cancelled_order_gets_no_new_hold(card_order):
    Order.objects.filter(pk=card_order.pk).update(status="cancelled", hold_until=None)
    assert order_hold_extend(order_pk=card_order.pk, minutes=15) is False
    card_order.refresh_from_db()
    assert card_order.hold_until is None


def test_wrong_token_is_not_found(client, card_order):
    answer = client.post(
        pay_url(card_order), {"t": "guess", "payment_method": "pm_card_visa"}
    )

    assert answer.status_code == 404
    assert not Payment.objects.exists()


def test_vietqr_order_cannot_be_paid_by_card(client, vietqr_order):
    answer = pay(client, vietqr_order)

    assert answer.status_code == 409


@pytest.mark.localstripe
def test_a_paid_order_refuses_another_card_payment(client, localstripe, card_order):
    pay(client, card_order)

    again = pay(client, card_order)

    assert again.status_code == 409
    assert Payment.objects.filter(order=card_order).count() == 1


# --- faults a real server will not produce on demand -------------------------

FAKE = "http://gateway.invalid"


def intent_json(status="requires_confirmation"):
    return {
        "id": "pi_fault",
        "object": "payment_intent",
        "amount": 150_000,
        "currency": "vnd",
        "status": status,
        "client_secret": "pi_fault_secret_x",
        "payment_method": "pm_card_visa",
        "latest_charge": None,
        "metadata": {},
    }


@pytest.mark.parametrize(
    "fault",
    [requests.ReadTimeout("slow"), requests.ConnectionError("reset by peer"), 500],
    ids=["timeout", "dropped", "500"],
)
@responses.activate
def test_gateway_fault_then_retry_reuses_the_idempotency_key(
    client, settings, card_order, fault
):
    settings.PAYMENT_GATEWAY_URL = FAKE
    create = f"{FAKE}/v1/payment_intents"
    if fault == 500:
        responses.post(create, status=500, json={"error": {"message": "boom"}})
    else:
        responses.post(create, body=fault)
    responses.post(create, json=intent_json())
    responses.post(f"{create}/pi_fault/confirm", json=intent_json("succeeded"))

    first = pay(client, card_order)
    payment = Payment.objects.get(order=card_order)
    card_order.refresh_from_db()
    assert first.status_code == 503
    assert "không bị trừ tiền hai lần" in first.json()["message"]
    assert payment.status == PaymentStatus.STARTED
    assert card_order.status == "pending_payment"

    second = pay(client, card_order)

    sent = [call.request.headers["Idempotency-Key"] for call in responses.calls[:2]]
    assert second.json()["status"] == "processing"
    assert sent == [payment.idempotency_key, payment.idempotency_key]
    assert Payment.objects.filter(order=card_order).count() == 1


@responses.activate
def test_timeout_on_confirm_retries_confirm_without_a_second_intent(
    client, settings, card_order
):
    settings.PAYMENT_GATEWAY_URL = FAKE
    create = f"{FAKE}/v1/payment_intents"
    responses.post(create, json=intent_json())
    responses.post(f"{create}/pi_fault/confirm", body=requests.ReadTimeout("slow"))
    responses.get(f"{create}/pi_fault", json=intent_json())
    responses.post(f"{create}/pi_fault/confirm", json=intent_json("succeeded"))

    assert pay(client, card_order).status_code == 503
    second = pay(client, card_order)

    creates = [c for c in responses.calls if c.request.url == create]
    confirms = [
        c.request.headers["Idempotency-Key"]
        for c in responses.calls
        if "confirm" in c.request.url
    ]
    assert second.json()["status"] == "processing"
    assert len(creates) == 1
    assert confirms[0] == confirms[1]
    assert Payment.objects.get(order=card_order).reference == "pi_fault"


# --- localstripe itself delivers the webhook ---------------------------------


@pytest.mark.localstripe
@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_payment_intent_succeeded_to_our_webhook(
    live_server, gateway_webhook
):
    from tests.factories import OrderFactory

    order = OrderFactory(payment_method="card")

    answer = requests.post(
        f"{live_server.url}{pay_url(order)}",
        data={"t": order.access_token, "payment_method": "pm_card_visa"},
        timeout=10,
    )
    assert answer.json()["status"] == "processing"

    # Wait for this intent's event to be fully processed (on in-memory SQLite
    # the live server shares our connection, so a half-done transaction is
    # visible). localstripe may also deliver late events of earlier tests'
    # intents to the same webhook: those are not this order's.
    intent = Payment.objects.get(order=order).reference
    deadline = time.monotonic() + 15
    event = None
    while time.monotonic() < deadline:
        event = PaymentEvent.objects.filter(
            type="payment_intent.succeeded",
            processed_at__isnull=False,
            payload__data__object__id=intent,
        ).first()
        if event is not None:
            break
        time.sleep(0.2)
    order.refresh_from_db()
    assert event is not None
    assert order.status == "paid", event.outcome


@pytest.mark.localstripe
def test_once_a_test_ends_localstripe_sends_its_events_to_no_one(
    client, live_server, localstripe, card_order
):
    # The live server outlives each test: an event delivered after the test
    # that wanted it would be written in the middle of the next one.
    with webhook_to(live_server, localstripe):
        pass

    answer = pay(client, card_order)
    time.sleep(2)  # localstripe sends an event a second after it happens
    idle(live_server)

    assert answer.json()["status"] == "processing"
    assert not PaymentEvent.objects.exists()
    card_order.refresh_from_db()
    assert card_order.status == "pending_payment"


@pytest.mark.localstripe
def test_a_second_card_cannot_start_while_the_first_is_on_its_way(
    client, localstripe, card_order
):
    Payment.objects.create(
        order=card_order,
        provider="card",
        payment_method_ref="pm_other_tab",
        amount_vnd=card_order.total_vnd,
        idempotency_key="pay_other_tab",
    )

    answer = pay(client, card_order, pm="pm_card_visa")

    assert answer.status_code == 409
    assert Payment.objects.filter(order=card_order).count() == 1


@pytest.mark.localstripe
def test_api_client_pays_with_the_urls_the_orders_api_returns(
    client, localstripe, card_order
):
    from market.payments import services

    info = services.payment_instructions(order=card_order)

    answer = client.post(
        info["pay_url"].removeprefix("http://testserver"),
        {"payment_method": "pm_card_visa"},
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert answer.json()["status"] == "processing"
