"""Issue 13, item 2: a lot's scan page shows its own history, never another
lot's (two lots of one variant from one farm)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import DiaryEntryFactory, FarmFactory, VariantFactory
from tests.traceability.scan_helpers import at, signed_path
from traceability.models import DiaryKind, LotEventKind
from traceability.selectors_scan import scan_page_data
from traceability.services.events import lot_event_append
from traceability.services.lots import lot_create

pytestmark = pytest.mark.django_db

D = dt.date


def _entry(farm, kind, day, note):
    return DiaryEntryFactory(farm=farm, kind=kind, occurred_at=at(day), note=note)


@pytest.fixture
def two_lots():
    farm = FarmFactory()
    variant = VariantFactory(product__seller=farm.seller)
    _entry(farm, DiaryKind.SEEDING, D(2026, 9, 1), "Gieo hạt vụ một")
    _entry(farm, DiaryKind.HARVEST, D(2026, 10, 24), "Thu hoạch vụ một")
    _entry(farm, DiaryKind.PACKING, D(2026, 11, 3), "Đóng gói vụ một")
    _entry(farm, DiaryKind.IRRIGATION, D(2026, 11, 5), "Tưới vụ hai")
    _entry(farm, DiaryKind.OBSERVATION, D(2026, 11, 20), "Quả chín vụ hai")
    _entry(farm, DiaryKind.HARVEST, D(2026, 11, 23), "Thu hoạch vụ hai")
    _entry(farm, DiaryKind.PACKING, D(2026, 11, 25), "Đóng gói vụ hai")
    _entry(farm, DiaryKind.OBSERVATION, D(2026, 11, 28), "Sau vụ hai")
    first = lot_create(
        variant=variant,
        farm=farm,
        code="261024",
        harvested_on=D(2026, 10, 24),
        packed_on=D(2026, 11, 3),
        quantity=100,
    )
    second = lot_create(
        variant=variant,
        farm=farm,
        code="261123",
        harvested_on=D(2026, 11, 23),
        packed_on=D(2026, 11, 25),
        quantity=100,
    )
    lot_event_append(
        lot=first,
        kind=LotEventKind.SHIPPING,
        occurred_at=at(D(2026, 11, 4)),
        biz_step="shipping",
        disposition="in_transit",
        data={"place_text": "Gửi đi vụ một"},
    )
    lot_event_append(
        lot=second,
        kind=LotEventKind.SHIPPING,
        occurred_at=at(D(2026, 11, 26)),
        biz_step="shipping",
        disposition="in_transit",
        data={"place_text": "Gửi đi vụ hai"},
    )
    return first, second


def _history(lot):
    page = scan_page_data(
        path_and_query=signed_path(lot), client="c", today=D(2026, 12, 1)
    )
    assert page.verdict == "genuine"
    # The journey starts with the lot's own harvest and packing (on its farm).
    assert [e.kind for e in page.events][:2] == ["commissioning", "packing"]
    journey = [e.read_point for e in page.events if e.kind == "shipping"]
    return [line.note for line in page.diary], journey


def test_the_later_lot_shows_its_own_harvest_packing_and_shipping_only(two_lots):
    _first, second = two_lots

    diary, events = _history(second)

    assert diary == [
        "Tưới vụ hai",
        "Quả chín vụ hai",
        "Thu hoạch vụ hai",
        "Đóng gói vụ hai",
    ]
    assert events == ["Gửi đi vụ hai"]


def test_the_earlier_lot_shows_none_of_the_later_lots_history(two_lots):
    first, _second = two_lots

    diary, events = _history(first)

    assert diary == ["Gieo hạt vụ một", "Thu hoạch vụ một", "Đóng gói vụ một"]
    assert events == ["Gửi đi vụ một"]


def test_the_page_itself_names_only_its_own_lots_days(client, two_lots):
    _first, second = two_lots

    html = client.get(signed_path(second)).content.decode()

    assert "25/11/2026" in html and "23/11/2026" in html
    for other in ("24/10/2026", "03/11/2026", "vụ một", "Sau vụ hai"):
        assert other not in html
