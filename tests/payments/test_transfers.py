"""VietQR bank transfers: signed notifications, statement import, matching."""

import pytest
from django.urls import reverse

from market.payments import services
from market.payments.models import BankTransfer, Payment, TransferMatch
from market.payments.services.transfers import order_codes_in
from tests.factories import OrderFactory

from .conftest import bank_signed


def notify(client, payload, **kwargs):
    body, headers = bank_signed(payload, **kwargs)
    return client.post(
        reverse("payments:bank_webhook"),
        body,
        content_type="application/json",
        **headers,
    )


def transfer(order, *, amount=None, txid="FT001", text=None):
    return {
        "transaction_id": txid,
        "amount": order.total_vnd if amount is None else amount,
        "reference": text or f"MBVCB.3344.{order.number}.CT tu 0912345678",
        "time": "2026-11-23T09:15:00+07:00",
    }


def test_exact_transfer_pays_the_order(client, gateway_settings, vietqr_order):
    answer = notify(client, transfer(vietqr_order))

    vietqr_order.refresh_from_db()
    record = BankTransfer.objects.get()
    assert answer.status_code == 200
    assert vietqr_order.status == "paid"
    assert record.match == TransferMatch.MATCHED
    assert record.order == vietqr_order
    assert Payment.objects.get(order=vietqr_order).provider == "vietqr"


def test_forged_bank_notification_is_refused(client, gateway_settings, vietqr_order):
    answer = notify(client, transfer(vietqr_order), secret="not-the-bank")

    vietqr_order.refresh_from_db()
    assert answer.status_code == 400
    assert vietqr_order.status == "pending_payment"
    assert not BankTransfer.objects.exists()


def test_same_transaction_twice_is_recorded_once(
    client, gateway_settings, vietqr_order
):
    notify(client, transfer(vietqr_order))
    notify(client, transfer(vietqr_order))

    assert BankTransfer.objects.count() == 1
    assert Payment.objects.count() == 1


def test_underpayment_is_flagged_and_the_order_keeps_waiting(
    client, gateway_settings, vietqr_order
):
    notify(client, transfer(vietqr_order, amount=100_000))

    vietqr_order.refresh_from_db()
    record = BankTransfer.objects.get()
    assert vietqr_order.status == "pending_payment"
    assert record.match == TransferMatch.UNDERPAID
    assert record.needs_review
    assert "50,000" in record.note


def test_second_transfer_completing_an_underpayment_pays(
    client, gateway_settings, vietqr_order
):
    notify(client, transfer(vietqr_order, amount=100_000, txid="FT1"))
    notify(client, transfer(vietqr_order, amount=50_000, txid="FT2"))

    vietqr_order.refresh_from_db()
    assert vietqr_order.status == "paid"
    assert BankTransfer.objects.get(transaction_id="FT2").match == TransferMatch.MATCHED


def test_overpayment_pays_but_is_flagged_for_a_refund(
    client, gateway_settings, vietqr_order
):
    notify(client, transfer(vietqr_order, amount=200_000))

    vietqr_order.refresh_from_db()
    record = BankTransfer.objects.get()
    assert vietqr_order.status == "paid"
    assert record.match == TransferMatch.OVERPAID
    assert record.needs_review


def test_transfer_for_an_already_paid_order_is_flagged(
    client, gateway_settings, vietqr_order
):
    notify(client, transfer(vietqr_order, txid="FT1"))
    notify(client, transfer(vietqr_order, txid="FT2"))

    assert (
        BankTransfer.objects.get(transaction_id="FT2").match == TransferMatch.OVERPAID
    )
    assert Payment.objects.count() == 1


def test_unknown_reference_is_unmatched(client, gateway_settings, vietqr_order):
    notify(client, transfer(vietqr_order, text="chuyen tien an trua"))

    vietqr_order.refresh_from_db()
    assert vietqr_order.status == "pending_payment"
    assert BankTransfer.objects.get().match == TransferMatch.UNMATCHED


def test_order_code_found_however_the_bank_spaces_it():
    assert order_codes_in("IBFT nq 7k3m 9p thanh toan") == ["NQ7K3M9P"]
    assert order_codes_in("MBVCB.1.NQ7K3M9P.CT") == ["NQ7K3M9P"]
    assert order_codes_in("no code here") == []


STATEMENT = (
    "Mã giao dịch;Thời gian;Số tiền;Nội dung\n"
    "FT100;23/11/2026 09:15:00;150.000;TT {exact}\n"
    "FT101;23/11/2026 09:20:00;90.000;{short} chuyen khoan\n"
    "FT102;23/11/2026 09:25:00;abc;{short}\n"
    "FT103;23/11/2026 09:30:00;20.000;tien che\n"
)


@pytest.mark.django_db
def test_statement_import_previews_then_records_once():
    exact, short = (
        OrderFactory(payment_method="vietqr"),
        OrderFactory(payment_method="vietqr"),
    )
    data = STATEMENT.format(exact=exact.number, short=short.number).encode()

    rows, errors = services.statement_parse(data=data)
    counts = services.statement_import(rows=rows)
    again_rows, _errors = services.statement_parse(data=data)
    again = services.statement_import(rows=again_rows)

    exact.refresh_from_db()
    assert [row.transaction_id for row in rows] == ["FT100", "FT101", "FT103"]
    assert len(errors) == 1 and "Dòng 4" in errors[0]
    assert counts == {"known": 0, "matched": 1, "underpaid": 1, "unmatched": 1}
    assert all(row.known for row in again_rows)
    assert again == {"known": 3}
    assert exact.status == "paid"


@pytest.mark.django_db
def test_statement_without_the_needed_columns_says_what_is_missing():
    with pytest.raises(services.StatementError) as error:
        services.statement_parse(data=b"date,money\n1,2\n")

    assert "thiếu cột" in str(error.value)


@pytest.mark.parametrize("amount", [150000.5, -150000, "1.5e5", True])
def test_notification_with_a_bad_amount_is_refused(
    client, gateway_settings, vietqr_order, amount
):
    answer = notify(client, transfer(vietqr_order, amount=amount))

    assert answer.status_code == 400
    assert not BankTransfer.objects.exists()


def test_amount_quoted_as_digits_is_accepted(client, gateway_settings, vietqr_order):
    notify(client, transfer(vietqr_order, amount="150000"))

    vietqr_order.refresh_from_db()
    assert vietqr_order.status == "paid"
