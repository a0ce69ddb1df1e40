"""Assignment by ward (province as fallback) and the sellers' ledger."""

import pytest
from django.db import transaction
from django.test import TestCase

from market.checkout.services import order_record_refund
from market.fulfilment.models import LedgerEntry, LedgerKind, ParcelStatus
from market.fulfilment.services.ledger import (
    ledger_balance,
    ledger_credit_delivery,
)
from market.fulfilment.services.parcels import parcel_set_status
from tests.factories import HA_NOI, SellerFactory, order_with_shipments, ward_of

pytestmark = pytest.mark.django_db

DELIVER = ["accepted", "picked_up", "in_transit", "out_for_delivery", "delivered"]


def deliver(parcel):
    with TestCase.captureOnCommitCallbacks(execute=True):
        for status in DELIVER:
            parcel_set_status(parcel=parcel, status=status)


def test_ward_partner_wins_over_the_province_partner(partner_a, partner_b):
    in_b_ward = SellerFactory(province_code=HA_NOI, ward_code=ward_of(HA_NOI, 0))
    elsewhere = SellerFactory(province_code=HA_NOI, ward_code=ward_of(HA_NOI, 7))
    order = order_with_shipments(sellers=[in_b_ward, elsewhere])
    partners = {s.seller_id: s.parcel.partner for s in order.shipments.all()}
    assert partners == {in_b_ward.pk: partner_b, elsewhere.pk: partner_a}


def test_seller_no_partner_serves_gets_no_parcel(partner_a):
    far = SellerFactory(province_code=48, ward_code=None)  # Đà Nẵng
    order = order_with_shipments(sellers=[far])
    assert not hasattr(order.shipments.get(), "parcel")


def test_paying_twice_does_not_create_a_second_parcel(paid_order):
    from market import signals
    from market.checkout.models import Order

    signals.order_paid.send(sender=Order, order=paid_order)
    assert paid_order.shipments.get().parcel.events.count() == 1


def test_delivery_credits_sale_and_commission_once(parcel):
    deliver(parcel)
    shipment = parcel.shipment
    ledger_credit_delivery(shipment=shipment)  # a repeat changes nothing
    kinds = dict(
        LedgerEntry.objects.filter(shipment=shipment).values_list("kind", "amount_vnd")
    )
    assert kinds == {LedgerKind.SALE: 300_000, LedgerKind.COMMISSION: -15_000}
    assert ledger_balance(seller=shipment.seller) == 285_000


def test_ledger_entries_cannot_be_changed():
    entry = LedgerEntry(seller=SellerFactory(), kind="adjustment", amount_vnd=1)
    entry.save()
    entry.amount_vnd = 2
    with pytest.raises(ValueError):
        entry.save()


def test_refund_after_delivery_debits_the_seller_net_of_commission(parcel):
    deliver(parcel)
    order = parcel.shipment.order
    # Total 330 000 (300 000 goods + 30 000 shipping); refund a third.
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_record_refund(order=order, amount_vnd=110_000)
    refund = LedgerEntry.objects.get(kind=LedgerKind.REFUND)
    # Goods share 100 000, less the 5 000 commission given back.
    assert refund.amount_vnd == -95_000
    assert ledger_balance(seller=parcel.shipment.seller) == 190_000


def test_full_refund_before_pick_up_cancels_the_parcel_and_credits_nothing(parcel):
    order = parcel.shipment.order
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_record_refund(order=order, amount_vnd=order.total_vnd)
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.CANCELLED
    assert not LedgerEntry.objects.exists()


def test_partial_refund_before_delivery_lowers_the_later_credit(parcel):
    order = parcel.shipment.order
    with TestCase.captureOnCommitCallbacks(execute=True):
        order_record_refund(order=order, amount_vnd=33_000)
    assert not LedgerEntry.objects.exists()
    deliver(parcel)
    # 30 000 of the refund falls on the goods: credit 270 000 less 5 %.
    assert ledger_balance(seller=parcel.shipment.seller) == 270_000 - 13_500


def test_balance_is_the_sum_of_entries(seller):
    for amount in (100_000, -20_000, 5_000):
        with transaction.atomic():
            LedgerEntry.objects.create(
                seller=seller, kind="adjustment", amount_vnd=amount
            )
    assert ledger_balance(seller=seller) == 85_000
