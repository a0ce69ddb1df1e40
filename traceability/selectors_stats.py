"""Scan statistics for sellers and counterfeit signals for the operator.

Every function takes the lots the user may see (`selectors.lots_visible_to`),
so a seller's staff only ever count their own lots' scans.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from traceability.models import Lot, Scan
from traceability.verdicts import Limits


@dataclass(frozen=True)
class ScanTotal:
    key: int
    name: str
    scans: int
    not_genuine: int
    suspicious: int


@dataclass(frozen=True)
class Signal:
    lot_id: int | None
    lot_code: str
    product: str
    serial: str
    scans: int
    clients: int
    not_genuine: int
    last_seen: dt.datetime


def stats_window(*, days: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=days - 1), today


def _since(start: dt.date) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time.min, tzinfo=tz)


def _scans(lots: QuerySet[Lot], start: dt.date) -> QuerySet[Scan]:
    return Scan.objects.filter(lot__in=lots, scanned_at__gte=_since(start)).exclude(
        client_class="bot"
    )


def scan_counts_per_day(*, lots: QuerySet[Lot], start: dt.date) -> dict[dt.date, int]:
    """Scans per local day since `start` (crawlers left out), one query."""
    tz = timezone.get_current_timezone()
    rows = (
        _scans(lots, start)
        .annotate(day=TruncDate("scanned_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    return {row["day"]: row["n"] for row in rows}


_COUNTS = {
    "scans": Count("pk"),
    "not_genuine": Count("pk", filter=Q(verdict="not-genuine")),
    "suspicious": Count("pk", filter=Q(verdict="suspicious")),
}


def scan_totals_per_lot(*, lots: QuerySet[Lot], start: dt.date) -> list[ScanTotal]:
    rows = (
        _scans(lots, start)
        .values("lot_id", "lot__code", "lot__variant__product__title")
        .annotate(**_COUNTS)
        .order_by("-scans", "lot_id")
    )
    return [
        ScanTotal(
            key=row["lot_id"],
            name=f"{row['lot__code']} · {row['lot__variant__product__title']}",
            scans=row["scans"],
            not_genuine=row["not_genuine"],
            suspicious=row["suspicious"],
        )
        for row in rows
    ]


def scan_totals_per_product(*, lots: QuerySet[Lot], start: dt.date) -> list[ScanTotal]:
    rows = (
        _scans(lots, start)
        .values("lot__variant__product_id", "lot__variant__product__title")
        .annotate(**_COUNTS)
        .order_by("-scans", "lot__variant__product_id")
    )
    return [
        ScanTotal(
            key=row["lot__variant__product_id"],
            name=row["lot__variant__product__title"],
            scans=row["scans"],
            not_genuine=row["not_genuine"],
            suspicious=row["suspicious"],
        )
        for row in rows
    ]


def counterfeit_signals(
    *, lots: QuerySet[Lot] | None, limits: Limits, start: dt.date
) -> list[Signal]:
    """Codes that look copied or forged since `start`, worst first.

    - a unit serial scanned more than `limits.max_scans` times or from more
      than `limits.max_clients` distinct clients (a copied label);
    - any code naming a lot whose signature failed (a forged label).

    `lots=None` (the operator) also lists forged codes naming no known lot.
    """
    scans = Scan.objects.filter(scanned_at__gte=_since(start)).exclude(
        client_class="bot"
    )
    if lots is not None:
        scans = scans.filter(lot__in=lots)
    rows = (
        scans.values("lot_id", "lot__code", "lot__variant__product__title", "serial")
        .annotate(
            scans=Count("pk"),
            clients=Count("client_hash", distinct=True),
            not_genuine=Count("pk", filter=Q(verdict="not-genuine")),
            last_seen=Max("scanned_at"),
        )
        .filter(
            Q(serial__gt="", scans__gt=limits.max_scans)
            | Q(serial__gt="", clients__gt=limits.max_clients)
            | Q(not_genuine__gt=0)
        )
        .order_by("-not_genuine", "-clients", "-scans")[:200]
    )
    return [
        Signal(
            lot_id=row["lot_id"],
            lot_code=row["lot__code"] or "",
            product=row["lot__variant__product__title"] or "",
            serial=row["serial"],
            scans=row["scans"],
            clients=row["clients"],
            not_genuine=row["not_genuine"],
            last_seen=row["last_seen"],
        )
        for row in rows
    ]
