"""Gateway webhooks: signature from the raw body, stored once, order paid once."""

import time

import pytest
from django.core import mail
from django.urls import reverse

from market.payments.models import Payment, PaymentEvent, PaymentStatus, Refund

from .conftest import intent_event, signed


@pytest.fixture
def card_payment(card_order, gateway_settings):
    return Payment.objects.create(
        order=card_order,
        provider="card",
        reference="pi_test_1",
        payment_method_ref="pm_card_visa",
        amount_vnd=card_order.total_vnd,
        status=PaymentStatus.PROCESSING,
        idempotency_key="pay_test_1",
    )


def deliver(client, body, headers):
    return client.post(
        reverse("payments:gateway_webhook"),
        body,
        content_type="application/json",
        **headers,
    )


def test_signed_succeeded_event_pays_the_order_and_mails_the_shopper(
    client, card_payment, django_capture_on_commit_callbacks
):
    body, headers = signed(
        intent_event("evt_1", "payment_intent.succeeded", card_payment)
    )

    with django_capture_on_commit_callbacks(execute=True):
        answer = deliver(client, body, headers)

    order = card_payment.order
    order.refresh_from_db()
    assert answer.status_code == 200
    assert order.status == "paid"
    assert order.paid_at is not None
    assert PaymentEvent.objects.get(event_id="evt_1").processed_at is not None
    assert any(
        order.number in message.subject + message.body for message in mail.outbox
    )


def test_forged_signature_is_refused_and_changes_nothing(client, card_payment):
    body, headers = signed(
        intent_event("evt_2", "payment_intent.succeeded", card_payment),
        secret="whsec_wrong",
    )

    answer = deliver(client, body, headers)

    card_payment.order.refresh_from_db()
    assert answer.status_code == 400
    assert card_payment.order.status == "pending_payment"
    assert not PaymentEvent.objects.exists()


def test_body_changed_after_signing_is_refused(client, card_payment):
    body, headers = signed(
        intent_event("evt_3", "payment_intent.succeeded", card_payment)
    )

    answer = deliver(client, body.replace(b"150000", b"150001"), headers)

    assert answer.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_stale_signature_is_refused(client, card_payment):
    body, headers = signed(
        intent_event("evt_4", "payment_intent.succeeded", card_payment),
        at=int(time.time()) - 301,
    )

    answer = deliver(client, body, headers)

    card_payment.order.refresh_from_db()
    assert answer.status_code == 400
    assert card_payment.order.status == "pending_payment"


def test_missing_signature_is_refused(client, card_payment):
    body, _headers = signed(
        intent_event("evt_5", "payment_intent.succeeded", card_payment)
    )

    assert deliver(client, body, {}).status_code == 400


def test_same_event_twice_changes_the_order_once(client, card_payment):
    body, headers = signed(
        intent_event("evt_6", "payment_intent.succeeded", card_payment)
    )

    deliver(client, body, headers)
    second = deliver(client, body, headers)

    order = card_payment.order
    assert second.json()["outcome"] == "duplicate"
    assert PaymentEvent.objects.count() == 1
    assert order.events.filter(to_status="paid").count() == 1


def test_a_late_failure_event_does_not_undo_a_success(client, card_payment):
    ok = signed(intent_event("evt_7", "payment_intent.succeeded", card_payment))
    late = signed(
        intent_event(
            "evt_8",
            "payment_intent.payment_failed",
            card_payment,
            status="requires_payment_method",
            last_payment_error={"message": "Your card was declined."},
        )
    )

    deliver(client, *ok)
    deliver(client, *late)

    card_payment.refresh_from_db()
    card_payment.order.refresh_from_db()
    assert card_payment.status == PaymentStatus.SUCCEEDED
    assert card_payment.order.status == "paid"


def test_failure_event_marks_the_payment_failed_and_the_order_waits(
    client, card_payment
):
    failed = signed(
        intent_event(
            "evt_9",
            "payment_intent.payment_failed",
            card_payment,
            status="requires_payment_method",
            last_payment_error={"message": "Your card was declined."},
        )
    )

    deliver(client, *failed)

    card_payment.refresh_from_db()
    card_payment.order.refresh_from_db()
    assert card_payment.status == PaymentStatus.FAILED
    assert card_payment.failure_message == "Your card was declined."
    assert card_payment.order.status == "pending_payment"


def test_event_with_another_amount_does_not_pay(client, card_payment):
    body, headers = signed(
        intent_event("evt_10", "payment_intent.succeeded", card_payment, amount=1000)
    )

    answer = deliver(client, body, headers)

    card_payment.order.refresh_from_db()
    assert answer.status_code == 200
    assert card_payment.order.status == "pending_payment"


def test_event_found_by_metadata_when_it_beats_the_intent_id(client, card_payment):
    Payment.objects.filter(pk=card_payment.pk).update(reference="")
    event = intent_event("evt_11", "payment_intent.succeeded", card_payment)
    event["data"]["object"]["id"] = "pi_test_1"

    deliver(client, *signed(event))

    card_payment.refresh_from_db()
    assert card_payment.reference == "pi_test_1"
    assert card_payment.status == PaymentStatus.SUCCEEDED


def refunded_event(event_id, payment, amount_refunded, refunds):
    return {
        "id": event_id,
        "type": "charge.refunded",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": "ch_test_1",
                "object": "charge",
                "payment_intent": payment.reference,
                "amount": payment.amount_vnd,
                "amount_refunded": amount_refunded,
                "refunds": {"data": refunds},
            }
        },
    }


def test_charge_refunded_records_the_refund_once(client, card_payment):
    deliver(
        client, *signed(intent_event("evt_p", "payment_intent.succeeded", card_payment))
    )
    first = [{"id": "re_1", "amount": 50_000, "metadata": {}}]
    both = [*first, {"id": "re_2", "amount": 100_000, "metadata": {}}]

    deliver(client, *signed(refunded_event("evt_r1", card_payment, 50_000, first)))
    deliver(client, *signed(refunded_event("evt_r2", card_payment, 150_000, both)))
    deliver(
        client, *signed(refunded_event("evt_r1b", card_payment, 50_000, first))
    )  # late copy

    order = card_payment.order
    order.refresh_from_db()
    card_payment.refresh_from_db()
    assert order.refunded_vnd == 150_000
    assert order.status == "refunded"
    assert card_payment.refunded_vnd == 150_000
    assert set(Refund.objects.values_list("reference", flat=True)) == {"re_1", "re_2"}


def test_charge_refunded_without_a_list_uses_the_cumulative_amount(
    client, card_payment
):
    deliver(
        client,
        *signed(intent_event("evt_p2", "payment_intent.succeeded", card_payment)),
    )

    deliver(client, *signed(refunded_event("evt_c2", card_payment, 80_000, [])))
    deliver(
        client, *signed(refunded_event("evt_c1", card_payment, 30_000, []))
    )  # older

    order = card_payment.order
    order.refresh_from_db()
    assert order.refunded_vnd == 80_000
    assert order.status == "partly_refunded"


def test_money_for_an_expired_order_is_kept_for_refund_not_accepted(
    client, card_payment
):
    from market.checkout.services import order_cancel

    order_cancel(order=card_payment.order, note="hold expired")

    answer = deliver(
        client,
        *signed(intent_event("evt_late", "payment_intent.succeeded", card_payment)),
    )

    order = card_payment.order
    order.refresh_from_db()
    card_payment.refresh_from_db()
    assert answer.json()["outcome"] == "order is cancelled: refund needed"
    assert order.status == "cancelled"
    assert card_payment.status == PaymentStatus.SUCCEEDED


def test_a_second_successful_payment_is_flagged_for_refund(client, card_payment):
    deliver(
        client, *signed(intent_event("evt_a", "payment_intent.succeeded", card_payment))
    )
    second = Payment.objects.create(
        order=card_payment.order,
        provider="card",
        reference="pi_test_2",
        amount_vnd=card_payment.amount_vnd,
        status=PaymentStatus.PROCESSING,
        idempotency_key="pay_test_2",
    )

    answer = deliver(
        client, *signed(intent_event("evt_b", "payment_intent.succeeded", second))
    )

    assert (
        answer.json()["outcome"]
        == "order already paid by another payment: refund needed"
    )
    assert card_payment.order.events.filter(to_status="paid").count() == 1
