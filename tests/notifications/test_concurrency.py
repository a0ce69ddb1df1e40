"""Several workers at once: one message is sent once, an event told once."""

from __future__ import annotations

import pytest
from django.db import connection

from market.notifications import messages
from market.notifications.models import Channel, Delivery, DeliveryStatus
from market.notifications.services import (
    delivery_attempt,
    preference_set,
    seller_notify,
)
from tests.concurrency import at_once, errors_of
from tests.factories import SellerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's in-memory test database answers "table is locked" instead of
    # waiting; the row locks this proves are PostgreSQL's.
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
    ),
]


def _message():
    return messages.product_published(product="Mật ong", store="HTX Ong", link="")


def test_five_workers_on_one_delivery_send_one_sms(sim):
    seller = SellerFactory()
    preference_set(seller=seller, channel=Channel.SMS, phone="0905123456")
    # Not sent yet: outside an atomic block the on-commit send runs at once,
    # so the row is made pending again by hand to let the workers race.
    (delivery,) = seller_notify(seller=seller, message=_message(), key="race-1")
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None
    )
    sim.requests.clear()
    sim.request_ids.clear()

    results = at_once(5, lambda _n: delivery_attempt(delivery_id=delivery.pk))
    assert errors_of(results) == []
    assert sum(result is not None for result in results) == 1
    assert len(sim.sms()) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_one_event_told_from_five_places_at_once_is_one_message(sim):
    seller = SellerFactory()
    preference_set(seller=seller, channel=Channel.SMS, phone="0905123456")

    results = at_once(
        5, lambda _n: seller_notify(seller=seller, message=_message(), key="race-2")
    )

    assert errors_of(results) == []
    assert Delivery.objects.filter(key__startswith="race-2>").count() == 1
    assert len(sim.sms()) == 1
