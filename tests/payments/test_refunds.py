"""Operator refunds through the API: card via the gateway, VietQR by hand."""

import json

import pytest
from django.urls import reverse

from market.payments import services
from market.payments.models import Refund, RefundStatus
from market.services.sellers import operator_group_ensure
from tests.factories import UserFactory

from .conftest import bank_signed, intent_event, signed


@pytest.fixture
def operator(db):
    user = UserFactory(username="vanhanh-test")
    user.groups.add(operator_group_ensure())
    return user


def refunds_url(order):
    return reverse("api-order-refunds", kwargs={"number": order.number})


def paid_by_card(client, order):
    payment = services.payment_card_pay(order=order, payment_method_ref="pm_card_visa")
    body, headers = signed(
        intent_event(f"evt_{order.number}", "payment_intent.succeeded", payment)
    )
    client.post(
        reverse("payments:gateway_webhook"),
        body,
        content_type="application/json",
        **headers,
    )
    order.refresh_from_db()
    assert order.status == "paid"
    return payment


@pytest.mark.localstripe
def test_operator_refunds_part_of_a_card_payment_once(
    client, localstripe, card_order, operator
):
    paid_by_card(client, card_order)
    client.force_login(operator)

    first = client.post(
        refunds_url(card_order),
        {"amount_vnd": 50_000, "reason": "Một chai bị vỡ"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="op-1",
    )
    retry = client.post(
        refunds_url(card_order),
        {"amount_vnd": 50_000, "reason": "Một chai bị vỡ"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="op-1",
    )

    card_order.refresh_from_db()
    assert first.status_code == 201
    assert first.json()["reference"].startswith("re_")
    assert first.json()["status"] == "succeeded"
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert card_order.refunded_vnd == 50_000
    assert card_order.status == "partly_refunded"


@pytest.mark.localstripe
def test_refund_above_what_was_paid_is_refused(
    client, localstripe, card_order, operator
):
    paid_by_card(client, card_order)
    client.force_login(operator)

    answer = client.post(
        refunds_url(card_order),
        {"amount_vnd": 150_001},
        content_type="application/json",
    )

    card_order.refresh_from_db()
    assert answer.status_code == 409
    assert "tối đa" in answer.json()["detail"]
    assert card_order.refunded_vnd == 0
    assert not Refund.objects.exists()


def test_unpaid_order_has_nothing_to_refund(client, card_order, operator):
    client.force_login(operator)

    answer = client.post(
        refunds_url(card_order), {"amount_vnd": 1000}, content_type="application/json"
    )

    assert answer.status_code == 409


def test_vietqr_refund_is_recorded_for_the_operator_to_pay_by_bank(
    client, gateway_settings, vietqr_order, operator
):
    body, headers = bank_signed(
        {
            "transaction_id": "FT9",
            "amount": vietqr_order.total_vnd,
            "reference": vietqr_order.number,
            "time": "2026-11-23T10:00:00+07:00",
        }
    )
    client.post(
        reverse("payments:bank_webhook"),
        body,
        content_type="application/json",
        **headers,
    )
    client.force_login(operator)

    answer = client.post(
        refunds_url(vietqr_order),
        {"amount_vnd": 150_000},
        content_type="application/json",
    )

    vietqr_order.refresh_from_db()
    refund = Refund.objects.get()
    assert answer.status_code == 201
    assert refund.manual
    assert refund.status == RefundStatus.SUCCEEDED
    assert vietqr_order.status == "refunded"


@pytest.mark.parametrize("who", ["anonymous", "shopper", "staff_not_operator"])
def test_only_the_operator_may_refund(client, card_order, who):
    if who != "anonymous":
        client.force_login(UserFactory(is_staff=who == "staff_not_operator"))

    answer = client.post(
        refunds_url(card_order), {"amount_vnd": 1000}, content_type="application/json"
    )

    assert answer.status_code in (401, 403)
    assert not Refund.objects.exists()


def test_openapi_has_an_example_body_for_the_refund_post(client, db):
    document = json.loads(client.get("/api/v1/openapi.json?format=json").content)

    post = document["paths"]["/api/v1/orders/{number}/refunds/"]["post"]
    examples = post["requestBody"]["content"]["application/json"]["examples"]
    assert any(example["value"]["amount_vnd"] > 0 for example in examples.values())


def test_idempotency_key_reused_for_another_amount_is_refused(
    client, gateway_settings, vietqr_order, operator
):
    body, headers = bank_signed(
        {
            "transaction_id": "FT10",
            "amount": vietqr_order.total_vnd,
            "reference": vietqr_order.number,
            "time": "2026-11-23T10:00:00+07:00",
        }
    )
    client.post(
        reverse("payments:bank_webhook"),
        body,
        content_type="application/json",
        **headers,
    )
    client.force_login(operator)

    def refund(amount):
        return client.post(
            refunds_url(vietqr_order),
            {"amount_vnd": amount},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="op-same-key",
        )

    first, other_amount, retry = refund(20_000), refund(70_000), refund(20_000)

    vietqr_order.refresh_from_db()
    assert first.status_code == 201
    assert other_amount.status_code == 409
    assert "mã mới" in other_amount.json()["detail"]
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    assert list(Refund.objects.values_list("amount_vnd", flat=True)) == [20_000]
    assert vietqr_order.refunded_vnd == 20_000
