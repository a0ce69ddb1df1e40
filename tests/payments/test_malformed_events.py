"""Signed webhook bodies that are not usable events get a 400 and change
nothing; amounts are compared exactly, never truncated."""

import json
import time

import pytest
from django.urls import reverse

from market.payments.models import BankTransfer, Payment, PaymentEvent, PaymentStatus
from market.payments.signatures import bank_signature, stripe_signature_header

from .conftest import BANK_SECRET, WEBHOOK_SECRET, bank_signed, intent_event, signed


@pytest.fixture
def card_payment(card_order, gateway_settings):
    return Payment.objects.create(
        order=card_order,
        provider="card",
        reference="pi_malformed_1",
        payment_method_ref="pm_card_visa",
        amount_vnd=card_order.total_vnd,
        status=PaymentStatus.PROCESSING,
        idempotency_key="pay_malformed_1",
    )


def deliver(client, body: bytes, headers: dict, name="payments:gateway_webhook"):
    return client.post(reverse(name), body, content_type="application/json", **headers)


def gateway_signed_raw(body: bytes) -> dict:
    header = stripe_signature_header(
        payload=body, secret=WEBHOOK_SECRET, timestamp=int(time.time())
    )
    return {"HTTP_STRIPE_SIGNATURE": header}


MALFORMED_GATEWAY_BODIES = {
    "a list": b"[1, 2]",
    "not JSON": b"{'id': 1}",
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "numeric id": json.dumps({"id": 5, "type": "ping"}).encode(),
    "id too long": json.dumps({"id": "e" * 500, "type": "ping"}).encode(),
    "no data": json.dumps(
        {"id": "evt_m1", "type": "payment_intent.succeeded"}
    ).encode(),
    "data is a string": json.dumps(
        {"id": "evt_m2", "type": "payment_intent.succeeded", "data": "x"}
    ).encode(),
    "object is a list": json.dumps(
        {
            "id": "evt_m3",
            "type": "payment_intent.payment_failed",
            "data": {"object": []},
        }
    ).encode(),
    "refund list is a string": json.dumps(
        {
            "id": "evt_m4",
            "type": "charge.refunded",
            "data": {"object": {"id": "ch_1", "refunds": {"data": "all"}}},
        }
    ).encode(),
    "refund amount is text": json.dumps(
        {
            "id": "evt_m5",
            "type": "charge.refunded",
            "data": {
                "object": {
                    "id": "ch_1",
                    "payment_intent": "pi_malformed_1",
                    "refunds": {"data": [{"id": "re_1", "amount": "lots"}]},
                }
            },
        }
    ).encode(),
    "NUL in the id": json.dumps({"id": "evt\u0000", "type": "ping"}).encode(),
}


@pytest.mark.parametrize(
    "body", MALFORMED_GATEWAY_BODIES.values(), ids=MALFORMED_GATEWAY_BODIES.keys()
)
def test_signed_but_malformed_gateway_body_is_refused(client, card_payment, body):
    answer = deliver(client, body, gateway_signed_raw(body))

    card_payment.order.refresh_from_db()
    assert answer.status_code == 400
    assert not PaymentEvent.objects.exists()
    assert card_payment.order.status == "pending_payment"


def test_event_time_far_in_the_future_does_not_break_the_payment(client, card_payment):
    event = intent_event("evt_future", "payment_intent.succeeded", card_payment)
    event["created"] = 10**30
    body, headers = signed(event)

    answer = deliver(client, body, headers)

    card_payment.order.refresh_from_db()
    assert answer.status_code == 200
    assert card_payment.order.status == "paid"


@pytest.mark.parametrize("extra", [0.4, 0.9])
def test_intent_amount_with_a_fraction_does_not_pay_the_order(
    client, card_payment, extra
):
    # int(150000.9) == 150000 would have matched the payment.
    body, headers = signed(
        intent_event(
            "evt_fraction",
            "payment_intent.succeeded",
            card_payment,
            amount=card_payment.amount_vnd + extra,
        )
    )

    answer = deliver(client, body, headers)

    card_payment.order.refresh_from_db()
    card_payment.refresh_from_db()
    assert answer.status_code == 400
    assert card_payment.order.status == "pending_payment"
    assert card_payment.status == PaymentStatus.PROCESSING


def test_intent_amount_as_a_float_of_the_right_value_is_not_taken_as_paid(
    client, card_payment
):
    body, headers = signed(
        intent_event(
            "evt_float",
            "payment_intent.succeeded",
            card_payment,
            amount=float(card_payment.amount_vnd),
        )
    )

    answer = deliver(client, body, headers)

    card_payment.order.refresh_from_db()
    assert answer.status_code == 400
    assert card_payment.order.status == "pending_payment"


def bank_transfer(order, **overrides):
    payload = {
        "transaction_id": "FT-M1",
        "amount": order.total_vnd,
        "reference": f"CT {order.number}",
        "time": "2026-11-23T09:15:00+07:00",
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": 10**30},
        {"amount": str(10**30)},
        {"reference": "CT\u0000"},
        {"time": "2026-02-30T09:15:00+07:00"},
        {"transaction_id": ""},
    ],
    ids=["huge amount", "huge amount as text", "NUL", "no such day", "empty id"],
)
def test_signed_but_malformed_bank_notification_is_refused(
    client, gateway_settings, vietqr_order, overrides
):
    body, headers = bank_signed(bank_transfer(vietqr_order, **overrides))

    answer = deliver(client, body, headers, name="payments:bank_webhook")

    vietqr_order.refresh_from_db()
    assert answer.status_code == 400
    assert not BankTransfer.objects.exists()
    assert vietqr_order.status == "pending_payment"


@pytest.mark.parametrize("body", [b"[]", b"null", b"\xff\xfe", b"[" * 50_000])
def test_signed_bank_body_that_is_not_an_object_is_refused(
    client, db, gateway_settings, body
):
    headers = {"HTTP_X_SIGNATURE": bank_signature(payload=body, secret=BANK_SECRET)}

    answer = deliver(client, body, headers, name="payments:bank_webhook")

    assert answer.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_statement_line_with_a_huge_amount_is_reported_not_recorded(db):
    from market.payments import services

    data = (
        "mã giao dịch,thời gian,số tiền,nội dung\n"
        f"FT1,23/11/2026 09:00,{10**30},NQ7K3M9P\n"
        "FT2,23/11/2026 09:00,150.000,NQ7K3M9P\n"
    ).encode()

    rows, problems = services.statement_parse(data=data)

    assert [row.transaction_id for row in rows] == ["FT2"]
    assert len(problems) == 1
