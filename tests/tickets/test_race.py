"""Slot places under real concurrency: only meaningful on PostgreSQL."""

import pytest
from django.db import connection

from market.checkout.services import OutOfStock
from market.tickets.models import Ticket, TimeSlot
from tests.concurrency import at_once
from tests.factories import slot_create, tickets_order, tour_create

BUYERS = 30
PLACES = 7

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
)


@pytest.mark.django_db(transaction=True)
def test_thirty_visitors_race_for_the_last_seven_places(
    home_page, tariffs, customer, hanoi_address
):
    from tests.factories import seller_create

    slot = slot_create(tour_create(seller_create(home_page)), capacity=PLACES)

    def visitor(_n: int) -> str:
        try:
            tickets_order(slot, customer=customer, address=hanoi_address)
        except OutOfStock:
            return "full"
        return "sold"

    # Deadlocks and the like come back as exceptions and fail the first assert.
    outcomes = [
        o if isinstance(o, str) else f"error: {o!r}" for o in at_once(BUYERS, visitor)
    ]

    assert sorted(set(outcomes)) == ["full", "sold"], outcomes
    assert outcomes.count("sold") == PLACES
    assert TimeSlot.objects.get(pk=slot.pk).booked == PLACES
    assert Ticket.objects.filter(slot=slot).count() == PLACES
