"""Bank-feed services (SePay, Casso, payOS) report incoming transfers; a
VietQR order is paid by the call, once, however often it is repeated."""

import re

import pytest
from django.test import Client

from market.checkout.services.numbers import order_number_generate
from market.payments.bank_feeds import payos_signature
from market.payments.models import BankTransfer, Payment, TransferMatch
from market.payments.services.instructions import vietqr_payload
from market.payments.vietqr import parse_payload, sub_fields
from tests.factories import OrderFactory

from .bank_feed_sim import (
    FeedService,
    casso_call,
    casso_record,
    payos_call,
    sepay_call,
)

SEPAY_KEY = "sepay-test-key"
CASSO_TOKEN = "casso-test-token"
PAYOS_KEY = "payos-test-checksum"


@pytest.fixture
def feeds(settings):
    settings.SEPAY_API_KEY = SEPAY_KEY
    settings.CASSO_SECURE_TOKEN = CASSO_TOKEN
    settings.PAYOS_CHECKSUM_KEY = PAYOS_KEY
    return settings


def post(client: Client, call):
    headers = {k: v for k, v in call.headers.items() if k != "Content-Type"}
    return client.post(
        call.path, call.body, content_type="application/json", headers=headers
    )


def content_for(order) -> str:
    return f"MBVCB.3278907687.{order.number}.CT tu 0912345678"


def test_payos_signature_matches_the_published_example():
    # The example of payOS's own SDK (webhook handling): its checksum key,
    # data and signature.
    data = {
        "orderCode": 123,
        "amount": 3000,
        "description": "VQRIO123",
        "accountNumber": "12345678",
        "reference": "TF230204212323",
        "transactionDateTime": "2023-02-04 18:25:00",
        "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
        "code": "00",
        "desc": "Thành công",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
        "counterAccountName": "",
        "counterAccountNumber": "",
        "virtualAccountName": "",
        "virtualAccountNumber": "",
        "currency": "VND",
    }
    key = "4383e890ca0eb06140810527e938bbde97bc7f8fc52a93f861b9a678e98e043f"

    assert payos_signature(data, checksum_key=key) == (
        "1945a809971e3a02a6592df680ee4ac19ffab74d9fe4e509456319b7e3f44e7c"
    )


@pytest.mark.django_db
def test_a_sepay_transfer_pays_the_order_and_a_retry_changes_nothing(client, feeds):
    order = OrderFactory(payment_method="vietqr")
    call = sepay_call(
        api_key=SEPAY_KEY,
        amount=order.total_vnd,
        content=content_for(order),
        ref="MBVCB.3278907687",
    )

    first = post(client, call)
    again = post(client, call)

    order.refresh_from_db()
    assert first.status_code == again.status_code == 200
    assert first.json()["success"] is True
    assert again.json()["outcomes"] == ["duplicate"]
    assert order.status == "paid"
    transfer = BankTransfer.objects.get()
    assert (transfer.source, transfer.match) == ("sepay", TransferMatch.MATCHED)
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("authorization", ["Apikey wrong", "Bearer sepay-test-key", ""])
def test_sepay_without_the_api_key_is_401_and_stores_nothing(
    client, feeds, authorization
):
    order = OrderFactory(payment_method="vietqr")
    call = sepay_call(
        api_key="", amount=order.total_vnd, content=content_for(order), ref="FT1"
    )
    call.headers["Authorization"] = authorization

    response = post(client, call)

    assert response.status_code == 401
    assert not BankTransfer.objects.exists()


@pytest.mark.django_db
def test_a_feed_that_is_not_configured_refuses_every_call(client, settings):
    settings.SEPAY_API_KEY = ""
    call = sepay_call(api_key="", amount=1000, content="x", ref="FT1")

    assert post(client, call).status_code == 401


@pytest.mark.django_db
def test_sepay_money_out_is_ignored(client, feeds):
    order = OrderFactory(payment_method="vietqr")
    call = sepay_call(
        api_key=SEPAY_KEY, amount=order.total_vnd, content=content_for(order), ref="F"
    )
    call.body = call.body.replace(b'"transferType": "in"', b'"transferType": "out"')

    response = post(client, call)

    assert response.status_code == 200
    assert not BankTransfer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"transferType": "in", "referenceCode": "F1"}'],
    ids=["not-json", "not-object", "no-amount"],
)
def test_a_malformed_sepay_body_is_400(client, feeds, body):
    response = client.post(
        "/thanh-toan/webhook/sepay/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Apikey {SEPAY_KEY}"},
    )

    assert response.status_code == 400
    assert not BankTransfer.objects.exists()


@pytest.mark.django_db
def test_casso_reports_several_transactions_and_only_money_in_counts(client, feeds):
    order = OrderFactory(payment_method="vietqr")
    call = casso_call(
        token=CASSO_TOKEN,
        records=[
            casso_record(
                amount=order.total_vnd, description=content_for(order), tid="TF1"
            ),
            casso_record(
                amount=-50_000, description="tra tien dien", tid="TF2", casso_id=2
            ),
        ],
    )

    response = post(client, call)

    order.refresh_from_db()
    assert response.status_code == 200
    assert order.status == "paid"
    assert list(BankTransfer.objects.values_list("transaction_id", "source")) == [
        ("TF1", "casso")
    ]


@pytest.mark.django_db
def test_casso_with_a_wrong_secure_token_is_401(client, feeds):
    call = casso_call(
        token="wrong", records=[casso_record(amount=1000, description="x", tid="T")]
    )

    assert post(client, call).status_code == 401
    assert not BankTransfer.objects.exists()


@pytest.mark.django_db
def test_payos_signed_transfer_pays_and_a_tampered_one_is_refused(client, feeds):
    order = OrderFactory(payment_method="vietqr")
    call = payos_call(
        checksum_key=PAYOS_KEY,
        amount=order.total_vnd,
        description=order.number,
        ref="FT23020421",
    )
    tampered = payos_call(
        checksum_key=PAYOS_KEY, amount=1, description=order.number, ref="FT9"
    )
    tampered.body = tampered.body.replace(b'"amount": 1,', b'"amount": 999999,')

    refused = post(client, tampered)
    paid = post(client, call)

    order.refresh_from_db()
    assert refused.status_code == 401
    assert paid.status_code == 200
    assert order.status == "paid"
    assert BankTransfer.objects.get().source == "payos"


@pytest.mark.django_db
def test_one_transfer_reported_by_two_feeds_is_recorded_once(client, feeds):
    order = OrderFactory(payment_method="vietqr")
    ref = "FT26016339085826"
    by_sepay = sepay_call(
        api_key=SEPAY_KEY, amount=order.total_vnd, content=content_for(order), ref=ref
    )
    by_casso = casso_call(
        token=CASSO_TOKEN,
        records=[
            casso_record(
                amount=order.total_vnd, description=content_for(order), tid=ref
            )
        ],
    )

    post(client, by_sepay)
    answer = post(client, by_casso)

    assert answer.json()["outcomes"] == ["duplicate"]
    assert BankTransfer.objects.count() == 1


def test_every_order_code_fits_the_transfer_content_banks_carry():
    # Banks carry at most 19 characters of plain ASCII in the content; the
    # order number is the whole content of our VietQR.
    for _ in range(2_000):
        number = order_number_generate()
        assert len(number) <= 19
        assert re.fullmatch(r"[A-Z0-9]+", number)


@pytest.mark.django_db
def test_the_vietqr_purpose_is_the_order_number_alone():
    order = OrderFactory(payment_method="vietqr")

    fields = parse_payload(vietqr_payload(order))

    assert sub_fields(fields["62"])["08"] == order.number


@pytest.mark.django_db(transaction=True)
def test_sepay_retries_until_the_key_is_set_and_pays_once(live_server, feeds):
    """Over HTTP as SePay calls: the first tries meet a market whose key is
    not set yet (401), SePay keeps retrying, the operator sets the key, the
    next try pays the order; a replay of the same call changes nothing."""
    order = OrderFactory(payment_method="vietqr")
    feeds.SEPAY_API_KEY = ""
    service = FeedService(live_server.url)
    call = sepay_call(
        api_key=SEPAY_KEY, amount=order.total_vnd, content=content_for(order), ref="FT7"
    )

    def operator_sets_the_key(attempt):
        if attempt == 2:
            feeds.SEPAY_API_KEY = SEPAY_KEY

    delivered = service.deliver(call, before_retry=operator_sets_the_key)
    replayed = service.deliver(call)

    order.refresh_from_db()
    assert service.answers == [401, 401, 200, 200]
    assert delivered.json()["success"] and replayed.json()["outcomes"] == ["duplicate"]
    assert order.status == "paid"
    assert BankTransfer.objects.count() == 1
