"""Lots: one harvest or production batch of a variant from a farm."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from market.models import Variant
from traceability import digital_link
from traceability.models import DiaryEntry, DiaryKind, Farm, Lot, LotEventKind
from traceability.services.events import lot_event_append
from traceability.services.farms import (
    pesticide_harvest_from,
    pre_harvest_interval_blocking,
)


def _day(value: dt.date) -> str:
    return date_format(value, "d/m/Y")


def lot_code_suggest(*, variant: Variant, harvested_on: dt.date) -> str:
    """A free code for the form: the harvest day as YYMMDD, then -2, -3 …"""
    base = f"{harvested_on:%y%m%d}"
    taken = set(
        Lot.objects.filter(variant=variant, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check_dates(harvested_on, packed_on, best_before) -> None:
    if harvested_on > timezone.localdate():
        raise ValidationError(
            {
                "harvested_on": _(
                    "Ngày thu hoạch chưa tới. Hãy tạo lô sau khi thu hoạch."
                )
            }
        )
    if packed_on and packed_on < harvested_on:
        raise ValidationError(
            {"packed_on": _("Ngày đóng gói phải từ ngày thu hoạch trở đi.")}
        )
    if best_before and best_before < (packed_on or harvested_on):
        raise ValidationError(
            {"best_before": _("Hạn sử dụng phải sau ngày thu hoạch và đóng gói.")}
        )


def _check_pre_harvest_interval(farm: Farm, harvested_on: dt.date) -> None:
    spray = pre_harvest_interval_blocking(farm=farm, on=harvested_on)
    if spray is None:
        return
    raise ValidationError(
        _(
            "Chưa hết thời gian cách ly: phun %(product)s ngày %(sprayed)s, phải "
            "chờ đến ngày %(until)s mới được thu hoạch. Hãy chọn ngày thu hoạch "
            "từ ngày đó trở đi, hoặc sửa lại nhật ký nếu ghi nhầm."
        )
        % {
            "product": spray.input_product,
            "sprayed": _day(timezone.localdate(spray.occurred_at)),
            "until": _day(pesticide_harvest_from(spray)),
        },
        code="pre_harvest_interval",
    )


def _check_code(variant: Variant, code: str) -> None:
    if not digital_link.ATTRIBUTE_RE.match(code):
        raise ValidationError(
            {
                "code": _(
                    "Mã lô gồm 1 đến 20 ký tự: chữ không dấu, số, dấu chấm, gạch "
                    "ngang hoặc gạch dưới. Ví dụ: 261015 hoặc MAM-2026-01."
                )
            }
        )
    if Lot.objects.filter(variant=variant, code=code).exists():
        raise ValidationError(
            {
                "code": _("Loại hàng này đã có lô mang mã %(code)s. Hãy chọn mã khác.")
                % {"code": code}
            }
        )


def _event_time(farm: Farm, kind: str, day: dt.date) -> dt.datetime:
    """The diary's time for that work on that day, else local midnight
    (a date-only event)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    entry = (
        DiaryEntry.objects.filter(
            farm=farm,
            kind=kind,
            corrections__isnull=True,
            occurred_at__gte=start,
            occurred_at__lt=start + dt.timedelta(days=1),
        )
        .order_by("-occurred_at")
        .first()
    )
    return entry.occurred_at if entry else start


def farm_read_point(farm: Farm) -> str:
    """The farm as an EPCIS read point: a `geo:` URI when it has coordinates."""
    if farm.latitude is None or farm.longitude is None:
        return ""
    return f"geo:{farm.latitude},{farm.longitude}"


def lot_create(
    *,
    variant: Variant,
    farm: Farm,
    code: str,
    harvested_on: dt.date,
    quantity: int,
    packed_on: dt.date | None = None,
    best_before: dt.date | None = None,
    actor=None,
    standards_applied: str = "",
) -> Lot:
    """Create a lot and record its commissioning (and packing) events.

    `standards_applied` names the standards it was made to ("TCVN 5107:2018";
    several separated by ";"), shown on the scan page and in the exports.

    Rules kept: the farm and the variant belong to the same seller; the code
    is unique per variant and printable in a Digital Link (AI 10, URI-safe);
    no lot is harvested while a pesticide's pre-harvest interval is still
    running on the farm; dates run harvest ≤ pack ≤ best-before.
    """
    code = code.strip()
    if farm.seller_id != variant.product.seller_id:
        raise ValidationError(_("Vườn và sản phẩm phải cùng một người bán."))
    if quantity < 1:
        raise ValidationError({"quantity": _("Số lượng phải từ 1 trở lên.")})
    _check_dates(harvested_on, packed_on, best_before)
    _check_code(variant, code)
    _check_pre_harvest_interval(farm, harvested_on)
    try:
        with transaction.atomic():
            lot = Lot.objects.create(
                variant=variant,
                farm=farm,
                code=code,
                harvested_on=harvested_on,
                packed_on=packed_on,
                best_before=best_before,
                quantity=quantity,
                standards_applied=" ".join(standards_applied.split())[:200],
                created_by=actor,
            )
            _record_start(lot)
    except IntegrityError as exc:  # a concurrent lot took the code first
        raise ValidationError(
            {"code": _("Loại hàng này đã có lô mang mã %(code)s.") % {"code": code}}
        ) from exc
    return lot


def _record_start(lot: Lot) -> None:
    farm, variant = lot.farm, lot.variant
    lot_event_append(
        lot=lot,
        kind=LotEventKind.COMMISSIONING,
        occurred_at=_event_time(farm, DiaryKind.HARVEST, lot.harvested_on),
        biz_step="commissioning",
        disposition="active",
        read_point=farm_read_point(farm),
        data={
            "lot": lot.code,
            "sku": variant.sku,
            "gtin": variant.gtin or "",
            "quantity": lot.quantity,
            "harvested_on": lot.harvested_on,
            "best_before": lot.best_before,
            "farm_id": farm.pk,
            "farm": farm.name,
        },
    )
    if lot.packed_on:
        lot_event_append(
            lot=lot,
            kind=LotEventKind.PACKING,
            occurred_at=_event_time(farm, DiaryKind.PACKING, lot.packed_on),
            biz_step="packing",
            disposition="in_progress",
            read_point=farm_read_point(farm),
            data={"packed_on": lot.packed_on, "quantity": lot.quantity},
        )
