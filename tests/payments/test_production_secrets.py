"""A webhook signed with a public development secret pays nothing in the
production profile (issue 19, item 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cms.production import DEVELOPMENT_SECRETS
from market.payments.models import Payment, PaymentEvent, PaymentStatus
from tests.production_env import production_settings

from .conftest import bank_signed, intent_event, signed


@pytest.fixture
def production_secrets(settings):
    loaded = production_settings()
    for name in ("PAYMENT_WEBHOOK_SECRET", "BANK_WEBHOOK_SECRET"):
        setattr(settings, name, loaded[name])
    return settings


def test_card_webhook_forged_with_the_development_secret_is_refused(
    client, production_secrets, card_order
):
    payment = Payment.objects.create(
        order=card_order,
        provider="card",
        reference="pi_forged",
        amount_vnd=card_order.total_vnd,
        status=PaymentStatus.PROCESSING,
        idempotency_key="pay_forged",
    )
    body, headers = signed(
        intent_event("evt_forged", "payment_intent.succeeded", payment),
        secret=DEVELOPMENT_SECRETS["PAYMENT_WEBHOOK_SECRET"],
    )

    answer = client.post(
        reverse("payments:gateway_webhook"),
        body,
        content_type="application/json",
        **headers,
    )

    card_order.refresh_from_db()
    assert answer.status_code == 400
    assert card_order.status == "pending_payment"
    assert not PaymentEvent.objects.exists()


def test_bank_notification_forged_with_the_development_secret_is_refused(
    client, production_secrets, vietqr_order
):
    body, headers = bank_signed(
        {
            "transaction_id": "FT-FORGED",
            "amount": vietqr_order.total_vnd,
            "reference": f"MBVCB.3344.{vietqr_order.number}.CT",
            "time": "2026-11-23T09:15:00+07:00",
        },
        secret=DEVELOPMENT_SECRETS["BANK_WEBHOOK_SECRET"],
    )

    answer = client.post(
        reverse("payments:bank_webhook"),
        body,
        content_type="application/json",
        **headers,
    )

    vietqr_order.refresh_from_db()
    assert answer.status_code == 400
    assert vietqr_order.status == "pending_payment"
