"""Two farmers, each with the rows every `/nong-dan/` page shows: a farm
and its diary, a product with stock, a lot with a label run and scans, a
paid order waiting to be packed, a certificate ending soon, ledger lines and
a payout. `rows` repeats the list rows (for the query-count tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from market.checkout.models import Shipment
from market.fulfilment.models import LedgerEntry, LedgerKind
from market.models import Seller, Stock, Variant
from tests.factories import (
    DiaryEntryFactory,
    FarmFactory,
    LotFactory,
    SellerFactory,
    UserFactory,
    certification_create,
    order_with_shipments,
)
from traceability.models import DiaryEntry, Farm, LabelRun, Lot, Scan

PASSWORD = "mat-khau-thu-123"


@dataclass
class Farmer:
    user: object
    seller: Seller
    farm: Farm
    variant: Variant
    lot: Lot
    shipment: Shipment
    run: LabelRun
    entry: DiaryEntry
    ledger: LedgerEntry


def farmer_world(phone: str, *, name: str, rows: int = 1) -> Farmer:
    user = UserFactory(username=phone)
    seller = SellerFactory(legal_name=f"HTX {name}", users=[user])
    farm = FarmFactory(seller=seller, name=f"Vườn {name}")
    for _n in range(rows):
        order = order_with_shipments(sellers=[seller], quantity=2)
    shipment = order.shipments.get()
    variant = shipment.lines.get().variant
    Stock.objects.filter(variant__product__seller=seller).update(on_hand=3)
    lot = None
    for n in range(rows):
        lot = LotFactory(farm=farm, variant=variant, code=f"{name[:3].upper()}{n}")
        Scan.objects.create(
            lot=lot,
            serial="000001",
            scanned_at=timezone.now(),
            client_class="android",
            client_hash=f"h{n}",
            verdict="genuine",
        )
        DiaryEntryFactory(farm=farm, note=f"Ghi chép {name} {n}")
        certification_create(
            product=variant.product,
            valid_until=timezone.localdate() + dt.timedelta(days=10),
        )
        LedgerEntry.objects.create(
            seller=seller, kind=LedgerKind.SALE, amount_vnd=300_000, order=order
        )
        LedgerEntry.objects.create(
            seller=seller, kind=LedgerKind.PAYOUT, amount_vnd=-250_000, note="CK"
        )
    run = LabelRun.objects.create(lot=lot, first_serial=1, count=4)
    Lot.objects.filter(pk=lot.pk).update(serials_issued=4)
    return Farmer(
        user=user,
        seller=seller,
        farm=farm,
        variant=variant,
        lot=lot,
        shipment=shipment,
        run=run,
        entry=DiaryEntry.objects.filter(farm=farm).first(),
        ledger=LedgerEntry.objects.filter(seller=seller).first(),
    )
