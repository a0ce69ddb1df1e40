import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import DiaryEntryFactory, FarmFactory, UserFactory
from traceability.models import DiaryEntry
from traceability.selectors import diary_current
from traceability.services.farms import diary_entry_add, pre_harvest_interval_blocking

pytestmark = pytest.mark.django_db

HA_NOI = dt.timezone(dt.timedelta(hours=7))


def _spray(farm, *, on: dt.datetime, days: int, product="Regent 800WG", corrects=None):
    return diary_entry_add(
        farm=farm,
        kind="input",
        occurred_at=on,
        recorded_by=None,
        input_type="pesticide",
        input_product=product,
        active_ingredient="Fipronil",
        dose="1 gói / bình 16 lít",
        pre_harvest_days=days,
        corrects=corrects,
    )


def test_an_entry_is_added_with_who_recorded_it():
    farm, user = FarmFactory(), UserFactory()

    entry = diary_entry_add(
        farm=farm,
        kind="irrigation",
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        recorded_by=user,
        note="  Tưới 30 phút  ",
    )

    assert entry.recorded_by == user
    assert entry.note == "Tưới 30 phút"
    assert list(diary_current(farm=farm)) == [entry]


def test_a_correction_is_a_new_entry_and_the_old_one_stays():
    farm = FarmFactory()
    wrong = _spray(farm, on=dt.datetime(2026, 9, 1, 8, tzinfo=HA_NOI), days=70)

    fixed = _spray(
        farm, on=dt.datetime(2026, 9, 1, 8, tzinfo=HA_NOI), days=7, corrects=wrong
    )

    assert DiaryEntry.objects.filter(farm=farm).count() == 2
    wrong.refresh_from_db()
    assert wrong.pre_harvest_days == 70  # never edited
    assert fixed.corrects == wrong
    assert list(diary_current(farm=farm)) == [fixed]


def test_a_correction_must_point_at_an_entry_of_the_same_farm():
    farm, other = FarmFactory(), FarmFactory()
    entry = DiaryEntryFactory(farm=other)

    with pytest.raises(ValidationError, match="chính vườn này"):
        diary_entry_add(
            farm=farm,
            kind="observation",
            occurred_at=timezone.now(),
            recorded_by=None,
            corrects=entry,
        )


def test_an_entry_already_corrected_cannot_be_corrected_again():
    farm = FarmFactory()
    first = DiaryEntryFactory(farm=farm)
    DiaryEntryFactory(farm=farm, corrects=first)

    with pytest.raises(ValidationError, match="đã được sửa"):
        diary_entry_add(
            farm=farm,
            kind="observation",
            occurred_at=timezone.now(),
            recorded_by=None,
            corrects=first,
        )


def test_a_pesticide_needs_its_pre_harvest_interval():
    farm = FarmFactory()

    with pytest.raises(ValidationError, match="thời gian cách ly"):
        diary_entry_add(
            farm=farm,
            kind="input",
            occurred_at=timezone.now(),
            recorded_by=None,
            input_type="pesticide",
            input_product="Regent 800WG",
        )


def test_input_details_belong_only_on_an_input_entry():
    with pytest.raises(ValidationError):
        diary_entry_add(
            farm=FarmFactory(),
            kind="irrigation",
            occurred_at=timezone.now(),
            recorded_by=None,
            input_product="Regent 800WG",
        )


def test_nothing_is_recorded_as_done_in_the_future():
    with pytest.raises(ValidationError, match="chưa tới"):
        diary_entry_add(
            farm=FarmFactory(),
            kind="harvest",
            occurred_at=timezone.now() + dt.timedelta(days=1),
            recorded_by=None,
        )


def test_the_interval_runs_from_the_local_day_of_spraying():
    farm = FarmFactory()
    # 23:30 on 1 September in Vietnam is still 1 September there.
    spray = _spray(farm, on=dt.datetime(2026, 9, 1, 23, 30, tzinfo=HA_NOI), days=7)

    assert pre_harvest_interval_blocking(farm=farm, on=dt.date(2026, 9, 7)) == spray
    assert pre_harvest_interval_blocking(farm=farm, on=dt.date(2026, 9, 8)) is None


def test_the_longest_running_interval_is_the_one_reported():
    farm = FarmFactory()
    _spray(farm, on=dt.datetime(2026, 9, 1, 8, tzinfo=HA_NOI), days=7, product="A")
    long = _spray(
        farm, on=dt.datetime(2026, 8, 28, 8, tzinfo=HA_NOI), days=21, product="B"
    )

    assert pre_harvest_interval_blocking(farm=farm, on=dt.date(2026, 9, 5)) == long


def test_a_spray_after_the_harvest_day_does_not_block_it():
    farm = FarmFactory()
    _spray(farm, on=dt.datetime(2026, 9, 10, 8, tzinfo=HA_NOI), days=7)

    assert pre_harvest_interval_blocking(farm=farm, on=dt.date(2026, 9, 9)) is None


def test_a_corrected_spray_counts_with_its_corrected_interval():
    farm = FarmFactory()
    wrong = _spray(farm, on=dt.datetime(2026, 9, 1, 8, tzinfo=HA_NOI), days=30)
    _spray(farm, on=dt.datetime(2026, 9, 1, 8, tzinfo=HA_NOI), days=5, corrects=wrong)

    assert pre_harvest_interval_blocking(farm=farm, on=dt.date(2026, 9, 6)) is None
    assert pre_harvest_interval_blocking(farm=farm, on=dt.date(2026, 9, 5)) is not None


def test_other_farms_sprays_do_not_block():
    farm, neighbour = FarmFactory(), FarmFactory()
    _spray(neighbour, on=dt.datetime(2026, 9, 1, 8, tzinfo=HA_NOI), days=30)

    assert pre_harvest_interval_blocking(farm=farm, on=dt.date(2026, 9, 5)) is None
