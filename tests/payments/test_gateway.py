"""The gateway client against a real localstripe, and faults via `responses`."""

import pytest
import requests
import responses

from market.payments import gateway


@pytest.mark.localstripe
def test_visa_payment_succeeds_after_confirm(localstripe):
    client = gateway.GatewayClient()

    intent = client.create_payment_intent(
        amount_vnd=150_000, payment_method="pm_card_visa", idempotency_key="k-visa-1"
    )
    confirmed = client.confirm_payment_intent(intent.id, idempotency_key="k-visa-1c")

    assert intent.status == "requires_confirmation"
    assert confirmed.status == "succeeded"
    assert confirmed.amount == 150_000
    assert confirmed.currency == "vnd"


@pytest.mark.localstripe
def test_declined_card_raises_payment_declined(localstripe):
    client = gateway.GatewayClient()
    intent = client.create_payment_intent(
        amount_vnd=99_000,
        payment_method="pm_card_chargeCustomerFail",
        idempotency_key="k-d",
    )

    with pytest.raises(gateway.PaymentDeclined) as declined:
        client.confirm_payment_intent(intent.id, idempotency_key="k-dc")

    assert declined.value.status == 402
    assert client.retrieve_payment_intent(intent.id).status == "requires_payment_method"


@pytest.mark.localstripe
def test_partial_refund_of_a_payment(localstripe):
    client = gateway.GatewayClient()
    intent = client.create_payment_intent(
        amount_vnd=200_000, payment_method="pm_card_visa", idempotency_key="k-r"
    )
    client.confirm_payment_intent(intent.id, idempotency_key="k-rc")

    refund = client.create_refund(
        payment_intent_id=intent.id, amount_vnd=50_000, idempotency_key="k-rr"
    )

    assert refund.amount == 50_000
    assert refund.status == "succeeded"


@pytest.mark.localstripe
def test_setup_intent_has_a_client_secret(localstripe):
    setup = gateway.GatewayClient().create_setup_intent(idempotency_key="k-s")

    assert setup.client_secret.startswith(f"{setup.id}_secret_")


@pytest.mark.localstripe
def test_a_wrong_secret_key_is_a_gateway_error_not_a_decline(localstripe):
    client = gateway.GatewayClient(secret_key="pk_not_secret")

    with pytest.raises(gateway.GatewayError) as error:
        client.create_setup_intent(idempotency_key="k-bad")

    assert error.value.status == 401
    assert not isinstance(
        error.value, gateway.PaymentDeclined | gateway.GatewayUnavailable
    )


FAKE = "http://gateway.invalid"


@responses.activate
def test_timeout_is_gateway_unavailable_and_sends_the_key(settings):
    responses.post(f"{FAKE}/v1/payment_intents", body=requests.ReadTimeout("slow"))
    client = gateway.GatewayClient(base_url=FAKE, timeout=0.5)

    with pytest.raises(gateway.GatewayUnavailable):
        client.create_payment_intent(
            amount_vnd=1000, payment_method="pm_x", idempotency_key="same-key"
        )

    sent = responses.calls[0].request
    assert sent.headers["Idempotency-Key"] == "same-key"
    assert "amount=1000" in sent.body and "currency=vnd" in sent.body


@responses.activate
def test_500_and_dropped_connection_are_gateway_unavailable():
    responses.post(f"{FAKE}/v1/refunds", status=500, body="oops")
    responses.post(f"{FAKE}/v1/setup_intents", body=requests.ConnectionError("reset"))
    client = gateway.GatewayClient(base_url=FAKE)

    with pytest.raises(gateway.GatewayUnavailable):
        client.create_refund(
            payment_intent_id="pi_1", amount_vnd=1, idempotency_key="r"
        )
    with pytest.raises(gateway.GatewayUnavailable):
        client.create_setup_intent(idempotency_key="s")


def test_amounts_are_whole_dong():
    client = gateway.GatewayClient(base_url=FAKE)

    with pytest.raises(ValueError):
        client.create_payment_intent(
            amount_vnd=1500.5, payment_method="pm_x", idempotency_key="k"
        )
