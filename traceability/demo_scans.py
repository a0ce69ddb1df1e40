"""Demo scans for `manage.py seed_demo`: a few days of scans on every demo
lot, one unit serial that looks copied (suspicious) and one recalled lot.

The walk-through lot (the demo farmer's, `WALKTHROUGH_SELLER`) is the one a
new user prints and scans first, so its seeded scans are lot-level only (a
crate code, never "copied") and the copied serial and the forged codes go on
another store's lot: its first printed label scans "genuine" (issue 13).

Idempotent: scans are only added to lots that have no demo scans yet, and
the recall is skipped when the lot is already recalled.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from traceability.models import Lot, LotStatus, Scan
from traceability.services.recalls import lot_recall

DAYS = 10
# Demo scans carry this prefix in their client hash, so a second run can see
# what it already added (real hashes are hex, never "demo").
DEMO_PREFIX = "demo"
RECALL_REASON = (
    "Kiểm tra định kỳ phát hiện độ đạm thấp hơn mức công bố trên nhãn. "
    "Người bán thu hồi cả lô để kiểm nghiệm lại."
)
CLASSES = ["android", "android", "android", "ios", "desktop"]
# The store of the demo farmer login (cms.demo.FARMER) in traceability.demo.
WALKTHROUGH_SELLER = "Hộ kinh doanh Nước mắm Cẩm Thanh"


def _scan(lot: Lot, *, serial: str, when: dt.datetime, client: int, verdict: str):
    return Scan(
        lot=lot,
        serial=serial,
        scanned_at=when,
        client_class=CLASSES[client % len(CLASSES)],
        client_hash=f"{DEMO_PREFIX}{client:012d}",
        verdict=verdict,
    )


def _daily_scans(
    lot: Lot, rng: random.Random, now: dt.datetime, *, units: bool = True
) -> list[Scan]:
    rows = []
    for day in range(DAYS):
        for n in range(rng.randint(1, 6)):
            serial = (
                str(rng.randint(1, lot.serials_issued))
                if units and lot.serials_issued
                else ""
            )
            when = now - dt.timedelta(days=day, hours=rng.randint(0, 10), minutes=n)
            rows.append(
                _scan(
                    lot,
                    serial=serial,
                    when=when,
                    client=rng.randint(1, 500),
                    verdict="genuine",
                )
            )
    return rows


def _copied_label(lot: Lot, now: dt.datetime) -> list[Scan]:
    """Serial 1 of the first lot seen from far too many phones in two days."""
    return [
        _scan(
            lot,
            serial="1",
            when=now - dt.timedelta(hours=2 * i),
            client=1000 + i,
            verdict="genuine" if i < 5 else "suspicious",
        )
        for i in range(12)
    ]


def _forged(lot: Lot, now: dt.datetime) -> list[Scan]:
    return [
        _scan(
            lot,
            serial="9999",
            when=now - dt.timedelta(hours=i),
            client=2000 + i,
            verdict="not-genuine",
        )
        for i in range(3)
    ]


def _operator():
    return (
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .order_by("pk")
        .first()
    )


def walkthrough_lot_ids() -> set[int]:
    """The demo farmer's lots: printed and scanned in the walk-through."""
    return set(
        Lot.objects.filter(farm__seller__legal_name=WALKTHROUGH_SELLER).values_list(
            "pk", flat=True
        )
    )


def seed_scans() -> None:
    """A few days of scans on each demo lot, a copied serial, a recalled lot."""
    lots = list(Lot.objects.order_by("pk"))
    if not lots:
        return
    walkthrough = walkthrough_lot_ids()
    # The copied label and the forged codes: the first other store's lot
    # that keeps its labels (the last lot is recalled below).
    copied = next(
        (
            lot
            for lot in lots[:-1] or lots
            if lot.pk not in walkthrough and lot.serials_issued
        ),
        None,
    )
    now = timezone.now()
    with transaction.atomic():
        seeded = set(
            Scan.objects.filter(client_hash__startswith=DEMO_PREFIX).values_list(
                "lot_id", flat=True
            )
        )
        rows: list[Scan] = []
        for lot in lots:
            if lot.pk in seeded:
                continue
            rng = random.Random(lot.pk)  # noqa: S311 (demo data, not security)
            rows += _daily_scans(lot, rng, now, units=lot.pk not in walkthrough)
            if lot == copied:
                rows += _copied_label(lot, now)
                rows += _forged(lot, now)
        Scan.objects.bulk_create(rows)
    if len(lots) >= 2:
        last = lots[-1]
        actor = _operator()
        if last.status != LotStatus.RECALLED and actor is not None:
            lot_recall(lot=last, reason=RECALL_REASON, actor=actor)
