"""Scan statistics in the admin: per day, per lot, per product; counterfeit
signals; each seller sees only their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import LotFactory
from tests.traceability.staff_helpers import farmer_of, operator_user
from traceability.charts import bar_chart_svg, day_series, nice_max
from traceability.models import Lot, Scan
from traceability.selectors_stats import counterfeit_signals, scan_counts_per_day
from traceability.verdicts import Limits

pytestmark = pytest.mark.django_db

URL = "/admin/truy-xuat/luot-quet/"


def scans(
    lot, *, n, days_ago=0, serial="", verdict="genuine", clients=1, agent="android"
):
    when = timezone.now() - dt.timedelta(days=days_ago)
    Scan.objects.bulk_create(
        Scan(
            lot=lot,
            serial=serial,
            scanned_at=when,
            client_class=agent,
            client_hash=f"{i % clients:016x}",
            verdict=verdict,
        )
        for i in range(n)
    )


# --- the chart (pure) ---------------------------------------------------------


def test_day_series_fills_missing_days_with_zero():
    start = dt.date(2026, 11, 1)

    series = day_series(
        {dt.date(2026, 11, 2): 4}, start=start, end=dt.date(2026, 11, 3)
    )

    assert series == [
        (dt.date(2026, 11, 1), 0),
        (dt.date(2026, 11, 2), 4),
        (dt.date(2026, 11, 3), 0),
    ]


def test_axis_top_is_a_round_number_at_least_the_highest_bar():
    assert [nice_max(v) for v in (0, 1, 3, 7, 12, 51, 200)] == [
        1,
        1,
        5,
        10,
        20,
        100,
        200,
    ]


def test_chart_has_one_bar_per_day_scaled_to_the_axis_and_escapes_text():
    series = [(dt.date(2026, 11, 1), 5), (dt.date(2026, 11, 2), 10)]

    svg = bar_chart_svg(series, label="Lô <A&B>")

    assert svg.count("<rect") == 2
    assert 'height="144.0"' in svg  # 10 of 10 fills the 144 px plot
    assert 'height="72.0"' in svg
    assert "02/11/2026: 10 lượt quét" in svg
    assert "Lô &lt;A&amp;B&gt;: 15 lượt quét" in svg
    assert "<A&B>" not in svg


# --- selectors -----------------------------------------------------------------


def test_counts_per_day_leave_out_crawlers_and_old_scans():
    lot = LotFactory()
    scans(lot, n=3, days_ago=1)
    scans(lot, n=2, days_ago=0)
    scans(lot, n=9, days_ago=0, agent="bot")
    scans(lot, n=4, days_ago=40)
    start = timezone.localdate() - dt.timedelta(days=29)

    counts = scan_counts_per_day(lots=Lot.objects.all(), start=start)

    assert sorted(counts.values()) == [2, 3]


def test_signals_list_copied_serials_and_forged_codes_not_busy_lot_codes():
    lot = LotFactory()
    scans(lot, n=30, serial="")  # a crate code everyone scans: fine
    scans(lot, n=4, serial="7")  # a unit scanned a few times: fine
    scans(lot, n=25, serial="8")  # copied label: too many scans
    scans(lot, n=6, serial="9", clients=6)  # copied label: too many phones
    scans(lot, n=2, serial="99", verdict="not-genuine")  # forged signature
    scans(None, n=1, serial="1", verdict="not-genuine")  # forged, no lot at all
    start = timezone.localdate() - dt.timedelta(days=29)
    limits = Limits(max_scans=20, max_clients=5)

    everyone = counterfeit_signals(lots=None, limits=limits, start=start)
    own = counterfeit_signals(
        lots=Lot.objects.filter(pk=lot.pk), limits=limits, start=start
    )

    assert sorted((s.lot_id, s.serial) for s in everyone if s.lot_id) == [
        (lot.pk, "8"),
        (lot.pk, "9"),
        (lot.pk, "99"),
    ]
    assert any(s.lot_id is None for s in everyone)
    assert all(s.lot_id == lot.pk for s in own) and len(own) == 3


# --- the admin view -----------------------------------------------------------


def test_farmer_sees_only_their_own_lots_and_products(client):
    mine = LotFactory(code="LOTCUATOI")
    theirs = LotFactory(code="LOTNGUOIKHAC")
    scans(mine, n=3)
    scans(theirs, n=5)
    client.force_login(farmer_of(mine.farm.seller))

    html = client.get(URL).content.decode()

    assert "LOTCUATOI" in html
    assert mine.variant.product.title in html
    assert "LOTNGUOIKHAC" not in html
    assert theirs.variant.product.title not in html
    assert "3 lượt quét trong 30 ngày" in html


def test_farmer_cannot_chart_another_sellers_lot_by_changing_the_url(client):
    mine = LotFactory()
    theirs = LotFactory()
    scans(theirs, n=5)
    client.force_login(farmer_of(mine.farm.seller))

    html = client.get(URL, {"lot": theirs.pk, "days": 7}).content.decode()

    assert "0 lượt quét trong 7 ngày" in html


def test_operator_sees_every_lot_and_the_counterfeit_signals(client):
    lot = LotFactory(code="LOTGIA")
    scans(lot, n=2, serial="5", verdict="not-genuine")
    scans(LotFactory(code="LOTKHAC"), n=1)
    client.force_login(operator_user())

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "LOTKHAC" in html
    assert "Dấu hiệu hàng giả" in html
    assert (
        "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    )


def test_lot_chart_counts_only_that_lot(client):
    lot = LotFactory()
    other = LotFactory(farm__seller=lot.farm.seller)
    scans(lot, n=4)
    scans(other, n=6)
    client.force_login(farmer_of(lot.farm.seller))

    html = client.get(URL, {"lot": lot.pk}).content.decode()

    assert "4 lượt quét trong 30 ngày" in html


def test_stats_need_an_admin_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- demo data -------------------------------------------------------------------


def test_demo_scans_are_idempotent_with_a_copied_serial_and_a_recalled_lot():
    from tests.factories import UserFactory
    from traceability.demo_scans import seed_scans

    UserFactory(username="vanhanh", is_superuser=True)
    first = LotFactory(serials_issued=40)
    last = LotFactory(serials_issued=10)

    seed_scans()
    count = Scan.objects.count()
    seed_scans()

    assert Scan.objects.count() == count > 0
    last.refresh_from_db()
    assert last.status == "recalled"
    assert last.events.filter(kind="recall").count() == 1
    start = timezone.localdate() - dt.timedelta(days=29)
    signals = counterfeit_signals(lots=None, limits=Limits(20, 5), start=start)
    assert (first.pk, "1") in {(s.lot_id, s.serial) for s in signals}
