"""Races that the row lock on the lot must win (PostgreSQL only: SQLite
serialises writers anyway, and its test database is not shared by threads)."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from tests.concurrency import at_once, errors_of
from tests.factories import FarmFactory, LotFactory, UserFactory
from traceability.models import DiaryEntry, LabelRun, LotEvent
from traceability.services.events import lot_chain_check, lot_event_append
from traceability.services.farms import diary_entry_add
from traceability.services.labels import label_run_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
    ),
]

THREADS = 6


def _in_threads(work):
    outcomes = at_once(THREADS, work)
    assert not errors_of(outcomes), errors_of(outcomes)
    return outcomes


def test_concurrent_label_runs_get_disjoint_serial_ranges():
    lot = LotFactory()

    _in_threads(lambda n: label_run_create(lot=lot, count=10 + n))

    runs = sorted(LabelRun.objects.filter(lot=lot), key=lambda r: r.first_serial)
    serials = [s for r in runs for s in range(r.first_serial, r.first_serial + r.count)]
    assert serials == list(range(1, len(serials) + 1))
    lot.refresh_from_db()
    assert lot.serials_issued == len(serials) == sum(10 + n for n in range(THREADS))


def test_concurrent_events_form_one_unbroken_chain():
    lot = LotFactory()
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

    _in_threads(
        lambda n: lot_event_append(
            lot=lot,
            kind="observation",
            occurred_at=start + dt.timedelta(hours=n),
            biz_step="inspecting",
        )
    )

    assert LotEvent.objects.filter(lot=lot).count() == THREADS
    assert lot_chain_check(lot=lot) is None


def test_one_diary_entry_sent_six_times_at_once_is_recorded_once():
    """The offline queue resending while the first answer is on its way:
    the unique client_id keeps one entry, and every sender gets it back."""
    farm = FarmFactory()
    user = UserFactory()
    client_id = uuid.uuid4()

    def send(_n):
        return diary_entry_add(
            farm=farm,
            kind="observation",
            occurred_at=timezone.now(),
            recorded_by=user,
            note="Sâu cuốn lá",
            client_id=client_id,
        ).pk

    got = _in_threads(send)
    assert DiaryEntry.objects.filter(client_id=client_id).count() == 1
    assert len(set(got)) == 1 and len(got) == THREADS
