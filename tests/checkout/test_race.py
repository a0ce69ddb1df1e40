"""Stock under real concurrency: only meaningful on PostgreSQL (row locks)."""

import random

import pytest
from django.db import connection
from django.utils import timezone

from market.checkout.models import Order, Shipment
from market.checkout.services import (
    LineRequest,
    OutOfStock,
    order_mark_paid,
    order_place,
    shipment_mark_shipped,
)
from market.models import Stock
from tests.concurrency import at_once
from tests.factories import seller_create, tariffs_create, variant_create

BUYERS = 50
LAST_UNITS = 10

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
)


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_race_for_the_last_ten_units(home_page, customer, hanoi_address):
    tariffs_create()
    seller = seller_create(home_page)
    scarce = variant_create(seller, title="Mật ong rừng", on_hand=LAST_UNITS)
    plenty = variant_create(seller, title="Chè búp", on_hand=1000)

    def buyer(n: int) -> str:
        lines = [LineRequest(scarce.pk, 1), LineRequest(plenty.pk, 1)]
        random.Random(n).shuffle(lines)  # lines in any order: locks stay ordered
        try:
            order_place(
                cart_lines=lines,
                customer=customer,
                address=hanoi_address,
                payment_method="vietqr",
            )
        except OutOfStock:
            return "out"
        return "sold"

    # Deadlocks and the like come back as exceptions and fail the first assert.
    outcomes = [
        o if isinstance(o, str) else f"error: {o!r}" for o in at_once(BUYERS, buyer)
    ]

    assert sorted(set(outcomes)) == ["out", "sold"], outcomes
    assert outcomes.count("sold") == LAST_UNITS
    stock = Stock.objects.get(pk=scarce.pk)
    assert (stock.on_hand, stock.allocated) == (LAST_UNITS, LAST_UNITS)
    assert Stock.objects.get(pk=plenty.pk).allocated == LAST_UNITS
    assert Order.objects.count() == LAST_UNITS

    # Paid and shipped, the shelf is empty and nothing is held any more.
    for order in Order.objects.all():
        order_mark_paid(order=order, paid_at=timezone.now())
    for shipment in Shipment.objects.all():
        shipment_mark_shipped(shipment=shipment)
    stock.refresh_from_db()
    assert (stock.on_hand, stock.allocated) == (0, 0)
