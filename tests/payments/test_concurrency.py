"""The same webhook delivered ten times at once changes the order once (PostgreSQL)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from market.payments.models import BankTransfer, Payment, PaymentEvent, PaymentStatus
from tests.concurrency import at_once
from tests.factories import OrderFactory

from .conftest import bank_signed, intent_event, signed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def deliver_concurrently(url, body, headers, times=10):
    answers = at_once(
        times,
        lambda _n: Client().post(url, body, content_type="application/json", **headers),
    )
    return [getattr(answer, "status_code", answer) for answer in answers]


def test_same_gateway_event_ten_times_at_once_pays_once(gateway_settings):
    order = OrderFactory(payment_method="card")
    payment = Payment.objects.create(
        order=order,
        provider="card",
        reference="pi_race",
        amount_vnd=order.total_vnd,
        status=PaymentStatus.PROCESSING,
        idempotency_key="pay_race",
    )
    body, headers = signed(
        intent_event("evt_race", "payment_intent.succeeded", payment)
    )

    codes = deliver_concurrently(reverse("payments:gateway_webhook"), body, headers)

    order.refresh_from_db()
    assert codes == [200] * 10
    assert order.status == "paid"
    assert order.events.filter(to_status="paid").count() == 1
    assert PaymentEvent.objects.count() == 1


def test_same_bank_notification_ten_times_at_once_is_recorded_once(gateway_settings):
    order = OrderFactory(payment_method="vietqr")
    body, headers = bank_signed(
        {
            "transaction_id": "FT-RACE",
            "amount": order.total_vnd,
            "reference": order.number,
            "time": "2026-11-23T10:00:00+07:00",
        }
    )

    codes = deliver_concurrently(reverse("payments:bank_webhook"), body, headers)

    order.refresh_from_db()
    assert codes == [200] * 10
    assert order.status == "paid"
    assert order.events.filter(to_status="paid").count() == 1
    assert BankTransfer.objects.count() == 1
    assert Payment.objects.filter(order=order).count() == 1
