"""Slot places under real concurrency: only meaningful on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections

from market.checkout.services import OutOfStock
from market.tickets.models import Ticket, TimeSlot
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
    start = threading.Barrier(BUYERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def visitor(n: int) -> None:
        try:
            start.wait()
            tickets_order(slot, customer=customer, address=hanoi_address)
            result = "sold"
        except OutOfStock:
            result = "full"
        except Exception as error:  # deadlocks and the like fail the test
            result = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(set(outcomes)) == ["full", "sold"], outcomes
    assert outcomes.count("sold") == PLACES
    assert TimeSlot.objects.get(pk=slot.pk).booked == PLACES
    assert Ticket.objects.filter(slot=slot).count() == PLACES
