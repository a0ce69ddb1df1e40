import datetime as dt

import pytest

from tests.traceability.factories import LotFactory
from traceability.models import LotEvent
from traceability.services.events import (
    lot_chain_check,
    lot_event_append,
    lot_event_hash,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 1, 6, 30, tzinfo=dt.UTC)


def _three_events(lot):
    lot_event_append(
        lot=lot,
        kind="commissioning",
        occurred_at=T0,
        biz_step="commissioning",
        disposition="active",
    )
    lot_event_append(
        lot=lot,
        kind="packing",
        occurred_at=T0 + dt.timedelta(days=1),
        biz_step="packing",
        disposition="in_progress",
        data={"quantity": 500, "note": "Đóng chai 500 ml"},
    )
    return lot_event_append(
        lot=lot,
        kind="shipping",
        occurred_at=T0 + dt.timedelta(days=2),
        biz_step="shipping",
        disposition="in_transit",
        data={"shipment": "VN123", "on": dt.date(2026, 10, 3)},
    )


def test_events_are_numbered_and_each_links_to_the_one_before():
    lot = LotFactory()

    last = _three_events(lot)

    events = list(LotEvent.objects.filter(lot=lot).order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == ""
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert len({e.hash for e in events}) == 3
    assert last.data == {"shipment": "VN123", "on": "2026-10-03"}
    assert lot_chain_check(lot=lot) is None


def test_chains_of_two_lots_are_independent():
    lot_a, lot_b = LotFactory(), LotFactory()
    _three_events(lot_a)

    first_b = lot_event_append(
        lot=lot_b, kind="commissioning", occurred_at=T0, biz_step="commissioning"
    )

    assert (first_b.seq, first_b.prev_hash) == (1, "")
    assert lot_chain_check(lot=lot_b) is None


def test_altering_an_old_event_reports_that_event_as_the_first_broken_link():
    lot = LotFactory()
    _three_events(lot)

    LotEvent.objects.filter(lot=lot, seq=2).update(data={"quantity": 5000})

    broken = lot_chain_check(lot=lot)
    assert broken is not None
    assert broken.seq == 2
    assert "content" in broken.reason


def test_rehashing_an_altered_event_breaks_the_next_link():
    lot = LotFactory()
    _three_events(lot)
    forged = LotEvent.objects.get(lot=lot, seq=1)
    forged.occurred_at = T0 - dt.timedelta(days=30)
    LotEvent.objects.filter(pk=forged.pk).update(
        occurred_at=forged.occurred_at, hash=lot_event_hash(forged)
    )

    broken = lot_chain_check(lot=lot)
    assert broken is not None
    assert broken.seq == 2
    assert "prev_hash" in broken.reason


def test_a_removed_event_is_reported_as_missing():
    lot = LotFactory()
    _three_events(lot)

    LotEvent.objects.filter(lot=lot, seq=2).delete()

    broken = lot_chain_check(lot=lot)
    assert broken is not None
    assert broken.seq == 2
    assert "missing" in broken.reason


def test_the_hash_does_not_depend_on_the_time_zone_the_time_was_given_in():
    lot_a, lot_b = LotFactory(), LotFactory()
    hanoi = dt.timezone(dt.timedelta(hours=7))

    a = lot_event_append(
        lot=lot_a, kind="commissioning", occurred_at=T0, biz_step="commissioning"
    )
    b = lot_event_append(
        lot=lot_b,
        kind="commissioning",
        occurred_at=T0.astimezone(hanoi),
        biz_step="commissioning",
    )

    a.refresh_from_db()
    assert lot_chain_check(lot=lot_a) is None
    assert lot_chain_check(lot=lot_b) is None
    assert b.occurred_at == a.occurred_at
