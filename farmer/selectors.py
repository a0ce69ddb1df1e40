"""Reads for the farmer area. Every function takes `seller_ids`, the ids of
the farmer's own sellers (`farmer.access.own_seller_ids`), and returns only
their rows; each runs a fixed number of queries whatever the row count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet, Sum
from django.utils import timezone

from market.checkout.models import OrderLine, Shipment, ShipmentStatus
from market.fulfilment.models import LedgerEntry, LedgerKind
from market.models import Certification, ReviewStatus, Variant
from traceability.models import (
    DiaryEntry,
    DiaryKind,
    Farm,
    InputType,
    LabelRun,
    Lot,
    LotStatus,
    Scan,
)
from traceability.selectors_scan import scan_limits
from traceability.selectors_stats import Signal, counterfeit_signals
from traceability.services.farms import pesticide_harvest_from

LOW_STOCK = 5  # units free to sell at or below which the farmer is told
CERTIFICATE_WARNING_DAYS = 30
SCAN_DAYS = 7
LONGEST_INTERVAL_DAYS = 365  # the diary form accepts no longer interval


def farms_of(seller_ids: list[int]) -> QuerySet[Farm]:
    return Farm.objects.filter(seller_id__in=seller_ids).order_by("name", "pk")


def variants_of(seller_ids: list[int]) -> QuerySet[Variant]:
    return (
        Variant.objects.filter(product__seller_id__in=seller_ids)
        .select_related("product")
        .order_by("product__title", "sort_order", "pk")
    )


def lots_of(seller_ids: list[int]) -> QuerySet[Lot]:
    return Lot.objects.filter(farm__seller_id__in=seller_ids).select_related(
        "variant__product", "farm"
    )


def shipments_of(seller_ids: list[int]) -> QuerySet[Shipment]:
    return Shipment.objects.filter(seller_id__in=seller_ids).select_related("order")


def shipments_to_pack(seller_ids: list[int]) -> QuerySet[Shipment]:
    return (
        shipments_of(seller_ids)
        .filter(status=ShipmentStatus.TO_PACK)
        .order_by("created_at", "pk")
    )


def shipment_with_lines(*, seller_ids: list[int], shipment_id: int) -> Shipment | None:
    """One of the farmer's shipments with its lines (None when not theirs)."""
    lines = OrderLine.objects.order_by("pk")
    return (
        shipments_of(seller_ids)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .filter(pk=shipment_id)
        .first()
    )


def packable_lots(*, shipment: Shipment) -> dict[int, list[Lot]]:
    """Per variant of the shipment's lines, the seller's active lots, the one
    to pack first (first to expire, then oldest harvest) at the head: one
    query for every line."""
    variant_ids = {line.variant_id for line in shipment.lines.all() if line.variant_id}
    lots = Lot.objects.filter(
        variant_id__in=variant_ids,
        status=LotStatus.ACTIVE,
        farm__seller_id=shipment.seller_id,
    ).order_by(F("best_before").asc(nulls_last=True), "harvested_on", "pk")
    by_variant: dict[int, list[Lot]] = {}
    for lot in lots:
        by_variant.setdefault(lot.variant_id, []).append(lot)
    return by_variant


def low_stock(seller_ids: list[int], *, limit: int = 10) -> list[Variant]:
    """Variants with few units left to sell (on hand minus held), fewest first."""
    return list(
        variants_of(seller_ids)
        .select_related("stock")
        .annotate(free=F("stock__on_hand") - F("stock__allocated"))
        .filter(free__lte=LOW_STOCK)
        .order_by("free", "product__title", "pk")[:limit]
    )


def certificates_expiring(
    seller_ids: list[int], *, today: dt.date | None = None
) -> list[Certification]:
    """Approved certificates that end within 30 days (or have just ended)."""
    today = today or timezone.localdate()
    certificates = list(
        Certification.objects.filter(
            seller_id__in=seller_ids,
            status=ReviewStatus.APPROVED,
            valid_until__gte=today - dt.timedelta(days=CERTIFICATE_WARNING_DAYS),
            valid_until__lte=today + dt.timedelta(days=CERTIFICATE_WARNING_DAYS),
        )
        .select_related("product")
        .order_by("valid_until", "pk")[:10]
    )
    for certificate in certificates:
        certificate.days_left = (certificate.valid_until - today).days
    return certificates


@dataclass(frozen=True)
class ScanNews:
    count: int
    recent: list[Scan]
    copied: list[Signal]


def scan_news(seller_ids: list[int], *, today: dt.date | None = None) -> ScanNews:
    """Scans of the farmer's lots in the last 7 days and the codes that look
    copied (the counterfeit rule of `traceability.selectors_stats`)."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=SCAN_DAYS - 1)
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    lots = Lot.objects.filter(farm__seller_id__in=seller_ids)
    scans = Scan.objects.filter(lot__in=lots, scanned_at__gte=since).exclude(
        client_class="bot"
    )
    recent = list(
        scans.select_related("lot__variant__product").order_by("-scanned_at")[:5]
    )
    return ScanNews(
        count=scans.count(),
        recent=recent,
        copied=counterfeit_signals(lots=lots, limits=scan_limits(), start=start)[:5],
    )


def diary_recent(seller_ids: list[int], *, limit: int = 20) -> list[DiaryEntry]:
    return list(
        DiaryEntry.objects.filter(farm__seller_id__in=seller_ids)
        .select_related("farm")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def diary_entry_known(*, client_id) -> bool:
    """An entry with this client-made id is already recorded."""
    return (
        client_id is not None
        and DiaryEntry.objects.filter(client_id=client_id).exists()
    )


@dataclass(frozen=True)
class WaitingFarm:
    farm: Farm
    entry: DiaryEntry
    harvest_from: dt.date


def farms_waiting_to_harvest(
    seller_ids: list[int], *, on: dt.date | None = None
) -> list[WaitingFarm]:
    """Farms where a pesticide's pre-harvest interval still runs on `on`,
    with the first day harvest is allowed (the rule of
    `traceability.services.farms.pre_harvest_interval_blocking`, for every
    farm in one query)."""
    on = on or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=LONGEST_INTERVAL_DAYS + 1)
    sprays = (
        DiaryEntry.objects.filter(
            farm__seller_id__in=seller_ids,
            kind=DiaryKind.INPUT,
            input_type=InputType.PESTICIDE,
            pre_harvest_days__gt=0,
            corrections__isnull=True,
            occurred_at__gte=since,
        )
        .select_related("farm")
        .order_by("farm__name", "pk")
    )
    latest: dict[int, WaitingFarm] = {}
    for entry in sprays:
        harvest_from = pesticide_harvest_from(entry)
        if on >= harvest_from:
            continue
        known = latest.get(entry.farm_id)
        if known is None or harvest_from > known.harvest_from:
            latest[entry.farm_id] = WaitingFarm(entry.farm, entry, harvest_from)
    return list(latest.values())


def label_runs_of_queryset(seller_ids: list[int]) -> QuerySet[LabelRun]:
    return LabelRun.objects.filter(lot__farm__seller_id__in=seller_ids).select_related(
        "lot__variant__product"
    )


def label_runs_of(seller_ids: list[int], *, limit: int = 20) -> list[LabelRun]:
    return list(
        label_runs_of_queryset(seller_ids).order_by("-created_at", "-pk")[:limit]
    )


def ledger_of(seller_ids: list[int]) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(seller_id__in=seller_ids)
        .select_related("order", "seller")
        .order_by("-created_at", "-pk")
    )


def payouts_of(seller_ids: list[int], *, limit: int = 20) -> list[LedgerEntry]:
    """Money the market transferred to the farmer (payout lines)."""
    return list(ledger_of(seller_ids).filter(kind=LedgerKind.PAYOUT)[:limit])


def balance_of(seller_ids: list[int]) -> int:
    """What the market owes the farmer now: the sum of their ledger."""
    total = LedgerEntry.objects.filter(seller_id__in=seller_ids).aggregate(
        total=Sum("amount_vnd")
    )["total"]
    return total or 0
