"""Tax withheld per sale for household sellers (Decree 117/2025/NĐ-CP):
rates from the operator's table, whole-dong rounding, refunds reversing
what was withheld, the monthly report in Asia/Ho_Chi_Minh months."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from market.checkout.services import order_record_refund
from market.fulfilment.models import LedgerEntry, LedgerKind, TaxRate
from market.fulfilment.services.ledger import ledger_balance, payout_rows
from market.fulfilment.services.parcels import parcel_set_status
from market.fulfilment.services.taxes import tax_month_rows
from market.services.sellers import operator_group_ensure
from tests.factories import HA_NOI, SellerFactory, UserFactory, order_with_shipments

pytestmark = pytest.mark.django_db

DELIVER = ["accepted", "picked_up", "in_transit", "out_for_delivery", "delivered"]


def deliver(order):
    with TestCase.captureOnCommitCallbacks(execute=True):
        for shipment in order.shipments.all():
            for status in DELIVER:
                parcel_set_status(parcel=shipment.parcel, status=status)


def taxes_of(seller) -> dict:
    """Net VAT and PIT lines of the seller, by kind (none: {})."""
    totals: dict = {}
    for kind, amount in LedgerEntry.objects.filter(
        seller=seller, kind__in=[LedgerKind.VAT, LedgerKind.PIT]
    ).values_list("kind", "amount_vnd"):
        totals[kind] = totals.get(kind, 0) + amount
    return totals


@pytest.fixture
def household(partner_a):
    return SellerFactory(kind="household", province_code=HA_NOI)


def test_the_migration_seeds_the_decree_rates_with_their_source():
    goods = TaxRate.objects.get(activity="goods")

    assert (goods.vat_percent, goods.pit_percent) == (Decimal(1), Decimal("0.5"))
    assert "117/2025/NĐ-CP" in goods.source
    assert TaxRate.objects.get(activity="services").vat_percent == Decimal(5)


def test_a_household_sale_withholds_vat_and_pit_and_the_payout_is_net(household):
    order = order_with_shipments(sellers=[household])  # 2 × 150 000
    deliver(order)

    assert taxes_of(household) == {LedgerKind.VAT: -3_000, LedgerKind.PIT: -1_500}
    assert ledger_balance(seller=household) == 300_000 - 15_000 - 4_500
    vat = LedgerEntry.objects.get(seller=household, kind=LedgerKind.VAT)
    assert vat.base_vnd == 300_000
    today = timezone.now()
    row = payout_rows(
        start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=1)
    )
    assert row[0]["tax_withheld_vnd"] == -4_500
    assert row[0]["balance_vnd"] == 280_500


def test_amounts_are_whole_dong_rounded_half_up(household):
    order = order_with_shipments(sellers=[household], quantity=1, price=100_100)
    deliver(order)

    # 1 % of 100 100 = 1 001; 0.5 % = 500.5 → 501.
    assert taxes_of(household) == {LedgerKind.VAT: -1_001, LedgerKind.PIT: -501}


def test_tourism_services_are_withheld_at_the_services_rate(household):
    order = order_with_shipments(sellers=[household], quantity=1, price=200_000)
    product = order.lines.get().variant.product
    product.category = "dich-vu-du-lich"
    product.save()
    deliver(order)

    assert taxes_of(household) == {LedgerKind.VAT: -10_000, LedgerKind.PIT: -4_000}


@pytest.mark.parametrize(
    ("kind", "declares_own_tax", "withheld"),
    [
        ("household", False, True),
        ("household", True, True),  # a household cannot opt out
        ("cooperative", False, True),
        ("cooperative", True, False),
        ("enterprise", True, False),
    ],
)
def test_only_organisations_that_declare_their_own_tax_are_exempt(
    partner_a, kind, declares_own_tax, withheld
):
    seller = SellerFactory(
        kind=kind, declares_own_tax=declares_own_tax, province_code=HA_NOI
    )
    deliver(order_with_shipments(sellers=[seller]))

    assert bool(taxes_of(seller)) is withheld


def test_a_refund_after_delivery_gives_back_the_tax_on_its_share(household):
    order = order_with_shipments(sellers=[household])  # 300 000 + 30 000 shipping
    deliver(order)
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_record_refund(order=order, amount_vnd=110_000)  # goods share 100 000

    assert taxes_of(household) == {LedgerKind.VAT: -2_000, LedgerKind.PIT: -1_000}
    today = timezone.localdate()
    (row,) = tax_month_rows(year=today.year, month=today.month)
    assert (row["doanh_thu_vnd"], row["thue_gtgt_vnd"], row["thue_tncn_vnd"]) == (
        200_000,
        2_000,
        1_000,
    )


def test_a_refund_gives_back_at_the_rate_the_sale_was_withheld_at(household):
    order = order_with_shipments(sellers=[household])
    deliver(order)
    # The sale was credited on an earlier day; the rate changed since.
    LedgerEntry.objects.filter(seller=household).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    TaxRate.objects.create(
        activity="goods",
        vat_percent=2,
        pit_percent=1,
        valid_from=timezone.localdate() - dt.timedelta(days=10),
        source="thử",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_record_refund(order=order, amount_vnd=order.total_vnd)

    given_back = LedgerEntry.objects.filter(
        seller=household, amount_vnd__gt=0, kind__in=[LedgerKind.VAT, LedgerKind.PIT]
    )
    assert dict(given_back.values_list("kind", "amount_vnd")) == {
        LedgerKind.VAT: 3_000,  # 1 %, as withheld, not the new 2 %
        LedgerKind.PIT: 1_500,
    }


def test_the_month_is_the_local_month_in_ho_chi_minh_city(household):
    deliver(order_with_shipments(sellers=[household]))
    # 31 July 17:30 UTC is 1 August 00:30 in Việt Nam.
    LedgerEntry.objects.update(
        created_at=dt.datetime(2026, 7, 31, 17, 30, tzinfo=dt.UTC)
    )

    assert tax_month_rows(year=2026, month=7) == []
    (august,) = tax_month_rows(year=2026, month=8)
    assert august["ma_so_thue"] == household.tax_code
    assert august["thue_gtgt_vnd"] == 3_000


def test_the_operator_prints_and_downloads_the_monthly_report(client, household):
    deliver(order_with_shipments(sellers=[household]))
    operator = UserFactory(username="vanhanh-thue", is_staff=True)
    operator.groups.add(operator_group_ensure())
    client.force_login(operator)
    month = f"{timezone.localdate():%Y-%m}"

    page = client.get(reverse("fulfilment_tax_report"), {"month": month})
    download = client.get(
        reverse("fulfilment_tax_report"), {"month": month, "format": "csv"}
    )

    assert page.status_code == 200
    assert household.legal_name in page.content.decode()
    assert "3.000" in page.content.decode()
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert rows[0]["ma_so_thue"] == household.tax_code
    assert rows[0]["doanh_thu_vnd"] == "300000"
    assert rows[0]["thue_tncn_vnd"] == "1500"


def test_a_farmer_cannot_open_the_tax_report(client, household):
    farmer = UserFactory(username="nongdan-thue", is_staff=True)
    household.users.add(farmer)
    client.force_login(farmer)

    response = client.get(reverse("fulfilment_tax_report"))

    assert response.status_code in (302, 403)


def test_a_bad_month_is_explained(client):
    operator = UserFactory(username="vanhanh-thue2", is_superuser=True, is_staff=True)
    client.force_login(operator)

    response = client.get(reverse("fulfilment_tax_report"), {"month": "2026-13"})

    assert "Chọn một tháng từ 07/2025 trở đi." in response.content.decode()
