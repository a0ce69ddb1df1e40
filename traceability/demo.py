"""Demo data for `manage.py seed_demo`: farms with diaries, lots, label runs and scans.

Idempotent: a farm is found by (seller, name), its diary is written only when
it has none, a lot only when its variant has none, a label run only when the
lot has none (scans are the next seed step, `demo_scans.seed_scans`). Stores
are the ones `market.demo` creates, found by their legal name; a missing
store is skipped.

Dates are relative to today, so the demo always shows a recent harvest, and
every pesticide's pre-harvest interval has passed before its harvest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from market.models import Seller, Variant
from traceability.models import DiaryKind, Farm, InputType, Lot
from traceability.services.farms import diary_entry_add, farm_create
from traceability.services.labels import label_run_create, label_run_render
from traceability.services.lots import lot_create

DEMO_LABELS = 20


@dataclass(frozen=True)
class DemoEntry:
    days_ago: int
    hour: int
    kind: str
    note: str
    input_type: str = ""
    input_product: str = ""
    active_ingredient: str = ""
    dose: str = ""
    pre_harvest_days: int | None = None


@dataclass(frozen=True)
class DemoLot:
    order: int  # creation order across farms (the demo scans rely on it)
    variant_index: int  # which variant of the seller's first product
    harvest_days_ago: int
    pack_after_days: int
    shelf_life_days: int
    quantity: int
    labels: int = DEMO_LABELS


@dataclass(frozen=True)
class DemoFarm:
    seller: str
    name: str
    crops: str
    latitude: str
    longitude: str
    area_m2: int
    diary: tuple[DemoEntry, ...]
    lots: tuple[DemoLot, ...]


FARMS = (
    DemoFarm(
        seller="HTX Nông nghiệp Su su Tam Đảo",
        name="Vườn su su sườn núi Tam Đảo",
        crops="su su",
        latitude="21.45700",
        longitude="105.64400",
        area_m2=8000,
        diary=(
            DemoEntry(
                120, 7, DiaryKind.SEEDING, "Trồng 1.200 gốc su su giống địa phương."
            ),
            DemoEntry(
                60,
                6,
                DiaryKind.INPUT,
                "Bón thúc sau khi cây lên giàn.",
                InputType.FERTILISER,
                "Phân hữu cơ vi sinh Sông Gianh",
                "",
                "300 kg / 1.000 m²",
            ),
            DemoEntry(
                30,
                16,
                DiaryKind.INPUT,
                "Phun trừ rệp, đeo khẩu trang và găng tay.",
                InputType.PESTICIDE,
                "Radiant 60SC",
                "Spinetoram",
                "15 ml / bình 16 lít",
                7,
            ),
            DemoEntry(20, 6, DiaryKind.IRRIGATION, "Tưới nhỏ giọt 2 giờ."),
            DemoEntry(
                12, 7, DiaryKind.OBSERVATION, "Quả đều, không thấy rệp quay lại."
            ),
            DemoEntry(3, 6, DiaryKind.HARVEST, "Hái 1.500 kg quả non buổi sáng."),
            DemoEntry(
                3, 14, DiaryKind.PACKING, "Đóng túi 1 kg tại nhà sơ chế của HTX."
            ),
        ),
        lots=(DemoLot(2, 0, 3, 0, 10, 1500),),
    ),
    DemoFarm(
        seller="HTX Dứa Hướng Đạo",
        name="Đồi dứa Hướng Đạo",
        crops="dứa Queen",
        latitude="21.36500",
        longitude="105.56300",
        area_m2=25000,
        diary=(
            DemoEntry(
                400, 7, DiaryKind.SEEDING, "Trồng chồi dứa Queen trên đồi đất đỏ."
            ),
            DemoEntry(
                90,
                7,
                DiaryKind.INPUT,
                "Bón kali trước khi ra hoa.",
                InputType.FERTILISER,
                "Kali clorua",
                "",
                "20 g / cây",
            ),
            DemoEntry(
                45,
                15,
                DiaryKind.INPUT,
                "Phun phòng thối nõn sau mưa.",
                InputType.PESTICIDE,
                "Aliette 80WG",
                "Fosetyl-aluminium",
                "50 g / bình 16 lít",
                14,
            ),
            DemoEntry(15, 8, DiaryKind.OBSERVATION, "Quả chín vàng đều 2/3 quả."),
            DemoEntry(5, 6, DiaryKind.HARVEST, "Thu 3.000 quả chín cây."),
            DemoEntry(5, 13, DiaryKind.PACKING, "Xếp sọt, dán tem từng quả."),
        ),
        lots=(DemoLot(3, 0, 5, 0, 14, 3000),),
    ),
    DemoFarm(
        seller="Hộ kinh doanh Nước mắm Cẩm Thanh",
        name="Nhà thùng Cẩm Thanh",
        crops="nước mắm cá cơm",
        latitude="15.87300",
        longitude="108.36200",
        area_m2=400,
        diary=(
            DemoEntry(
                400,
                5,
                DiaryKind.INPUT,
                "Ướp cá cơm than với muối hạt, cho vào thùng gỗ.",
                InputType.OTHER,
                "Muối hạt Sa Huỳnh",
                "",
                "1 muối / 3 cá",
            ),
            DemoEntry(
                200, 9, DiaryKind.OBSERVATION, "Đảo chượp, nước cốt màu cánh gián."
            ),
            DemoEntry(40, 8, DiaryKind.HARVEST, "Rút nước mắm nhĩ, đo độ đạm 35°N."),
            DemoEntry(30, 9, DiaryKind.PACKING, "Đóng chai thủy tinh 500 ml và 1 lít."),
            DemoEntry(10, 8, DiaryKind.HARVEST, "Rút mẻ thứ hai, độ đạm 35°N."),
            DemoEntry(8, 9, DiaryKind.PACKING, "Đóng chai 500 ml."),
        ),
        # The 500 ml lot is created first: the demo scans give it a copied
        # label. The older 1 litre lot is created last: the demo recalls it.
        lots=(DemoLot(1, 0, 10, 2, 720, 600), DemoLot(4, 1, 40, 10, 720, 300)),
    ),
)


def _at(days_ago: int, hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _farm_ensure(seller: Seller, spec: DemoFarm) -> Farm:
    farm = Farm.objects.filter(seller=seller, name=spec.name).first()
    if farm is not None:
        return farm
    return farm_create(
        seller=seller,
        name=spec.name,
        province_code=seller.province_code,
        ward_code=seller.ward_code,
        address_line=seller.address_line,
        latitude=Decimal(spec.latitude),
        longitude=Decimal(spec.longitude),
        area_m2=spec.area_m2,
        crops=spec.crops,
    )


def _diary_ensure(farm: Farm, spec: DemoFarm, user) -> None:
    if farm.diary.exists():
        return
    for entry in sorted(spec.diary, key=lambda e: (-e.days_ago, e.hour)):
        diary_entry_add(
            farm=farm,
            kind=entry.kind,
            occurred_at=_at(entry.days_ago, entry.hour),
            recorded_by=user,
            note=entry.note,
            input_type=entry.input_type,
            input_product=entry.input_product,
            active_ingredient=entry.active_ingredient,
            dose=entry.dose,
            pre_harvest_days=entry.pre_harvest_days,
        )


def _lot_ensure(farm: Farm, variant: Variant, spec: DemoLot, user) -> Lot:
    existing = Lot.objects.filter(variant=variant).order_by("pk").first()
    if existing is not None:
        return existing
    harvested_on = timezone.localdate() - dt.timedelta(days=spec.harvest_days_ago)
    return lot_create(
        variant=variant,
        farm=farm,
        code=f"{harvested_on:%y%m%d}",
        harvested_on=harvested_on,
        packed_on=harvested_on + dt.timedelta(days=spec.pack_after_days),
        best_before=harvested_on + dt.timedelta(days=spec.shelf_life_days),
        quantity=spec.quantity,
        actor=user,
    )


def _labels_ensure(lot: Lot, spec: DemoLot, user) -> None:
    if lot.label_runs.exists():
        return
    run = label_run_create(lot=lot, count=spec.labels, actor=user)
    # Drawn now (20 labels take a moment); the queued task then finds it done.
    label_run_render(run=run)


def seed_traceability() -> None:
    """Farms with diaries, lots with printed label runs (scans: demo_scans)."""
    planned = []
    for spec in FARMS:
        seller = Seller.objects.filter(legal_name=spec.seller).first()
        product = seller.products.order_by("pk").first() if seller else None
        if product is None:
            continue
        variants = list(product.variants.order_by("sort_order", "pk"))
        user = seller.users.order_by("pk").first()
        farm = _farm_ensure(seller, spec)
        _diary_ensure(farm, spec, user)
        planned += [
            (lot_spec, farm, variants[lot_spec.variant_index], user)
            for lot_spec in spec.lots
            if lot_spec.variant_index < len(variants)
        ]
    for lot_spec, farm, variant, user in sorted(planned, key=lambda p: p[0].order):
        lot = _lot_ensure(farm, variant, lot_spec, user)
        _labels_ensure(lot, lot_spec, user)
