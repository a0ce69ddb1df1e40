import datetime as dt

import pytest

from tests.factories import LotFactory
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


# --- lot_create -------------------------------------------------------------

HA_NOI = dt.timezone(dt.timedelta(hours=7))


def _farm_and_variant():
    from tests.factories import FarmFactory, VariantFactory

    farm = FarmFactory()
    return farm, VariantFactory(product__seller=farm.seller)


def test_a_lot_starts_with_commissioning_and_packing_events():
    from traceability.services.lots import lot_create

    farm, variant = _farm_and_variant()

    lot = lot_create(
        variant=variant,
        farm=farm,
        code="261015",
        harvested_on=dt.date(2026, 10, 15),
        packed_on=dt.date(2026, 10, 16),
        best_before=dt.date(2027, 10, 15),
        quantity=400,
    )

    events = list(lot.events.order_by("seq"))
    assert [(e.kind, e.biz_step) for e in events] == [
        ("commissioning", "commissioning"),
        ("packing", "packing"),
    ]
    assert events[0].data["quantity"] == 400
    assert lot_chain_check(lot=lot) is None


def test_no_lot_while_a_pesticide_interval_is_running_and_the_error_says_until_when():
    from django.core.exceptions import ValidationError

    from traceability.services.farms import diary_entry_add
    from traceability.services.lots import lot_create

    farm, variant = _farm_and_variant()
    diary_entry_add(
        farm=farm,
        kind="input",
        occurred_at=dt.datetime(2026, 10, 10, 16, tzinfo=HA_NOI),
        recorded_by=None,
        input_type="pesticide",
        input_product="Radiant 60SC",
        pre_harvest_days=7,
    )

    with pytest.raises(ValidationError) as refused:
        lot_create(
            variant=variant,
            farm=farm,
            code="261015",
            harvested_on=dt.date(2026, 10, 15),
            quantity=10,
        )

    message = " ".join(refused.value.messages)
    assert "Chưa hết thời gian cách ly" in message
    assert "Radiant 60SC" in message
    assert "10/10/2026" in message
    assert "17/10/2026" in message
    assert not variant.lots.exists()
    lot = lot_create(
        variant=variant,
        farm=farm,
        code="261017",
        harvested_on=dt.date(2026, 10, 17),
        quantity=10,
    )
    assert lot.pk


@pytest.mark.parametrize("code", ["lô 1", "A/B", "x" * 21, "", "á"])
def test_a_lot_code_must_be_printable_in_a_digital_link(code):
    from django.core.exceptions import ValidationError

    from traceability.services.lots import lot_create

    farm, variant = _farm_and_variant()

    with pytest.raises(ValidationError):
        lot_create(
            variant=variant,
            farm=farm,
            code=code,
            harvested_on=dt.date(2026, 10, 1),
            quantity=1,
        )


def test_a_lot_code_is_unique_per_variant_only():
    from django.core.exceptions import ValidationError

    from tests.factories import VariantFactory
    from traceability.services.lots import lot_create

    farm, variant = _farm_and_variant()
    other_variant = VariantFactory(product__seller=farm.seller)
    kwargs = {
        "farm": farm,
        "code": "A1",
        "harvested_on": dt.date(2026, 10, 1),
        "quantity": 1,
    }
    lot_create(variant=variant, **kwargs)

    with pytest.raises(ValidationError, match="đã có lô"):
        lot_create(variant=variant, **kwargs)
    assert lot_create(variant=other_variant, **kwargs).code == "A1"


def test_a_farm_and_product_of_different_sellers_make_no_lot():
    from django.core.exceptions import ValidationError

    from tests.factories import FarmFactory, VariantFactory
    from traceability.services.lots import lot_create

    with pytest.raises(ValidationError):
        lot_create(
            variant=VariantFactory(),
            farm=FarmFactory(),
            code="A1",
            harvested_on=dt.date(2026, 10, 1),
            quantity=1,
        )


def test_the_suggested_code_is_the_harvest_day_then_numbered():
    from traceability.services.lots import lot_code_suggest, lot_create

    farm, variant = _farm_and_variant()
    day = dt.date(2026, 10, 15)

    assert lot_code_suggest(variant=variant, harvested_on=day) == "261015"
    lot_create(variant=variant, farm=farm, code="261015", harvested_on=day, quantity=1)
    assert lot_code_suggest(variant=variant, harvested_on=day) == "261015-2"
