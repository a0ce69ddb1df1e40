"""Farms and the append-only farm diary.

Diary entries are never updated or deleted (farmOS style). A mistake is fixed
by a new entry whose `corrects` points at the wrong one; from then on the
wrong entry no longer counts (for the pre-harvest interval, for the public
timeline), the correction does.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import Seller
from traceability.models import DiaryEntry, DiaryKind, Farm, InputType

# Clocks on phones drift; a little "future" is a clock, not a plan.
FUTURE_TOLERANCE = dt.timedelta(minutes=15)
INPUT_FIELDS = ("input_type", "input_product", "active_ingredient", "dose")


def farm_create(
    *,
    seller: Seller,
    name: str,
    province_code: int,
    ward_code: int | None = None,
    address_line: str = "",
    latitude=None,
    longitude=None,
    boundary: dict | None = None,
    area_m2: int | None = None,
    crops: str = "",
    gln: str = "",
) -> Farm:
    """Create a farm of `seller`. The name is unique within the seller and
    the ward belongs to the province (model validation)."""
    farm = Farm(
        seller=seller,
        name=name.strip(),
        province_code=province_code,
        ward_code=ward_code,
        address_line=address_line,
        latitude=latitude,
        longitude=longitude,
        boundary=boundary,
        area_m2=area_m2,
        crops=crops,
        gln=(gln or "").strip(),
    )
    farm.full_clean()
    farm.save()
    return farm


def _check_input_fields(kind: str, fields: dict) -> None:
    if kind != DiaryKind.INPUT:
        if any(fields.get(name) for name in INPUT_FIELDS) or fields.get(
            "pre_harvest_days"
        ):
            raise ValidationError(
                _(
                    "Chỉ ghi tên vật tư, liều lượng khi chọn việc "
                    "“Bón phân / phun thuốc”."
                )
            )
        return
    if not fields.get("input_type") or not fields.get("input_product"):
        raise ValidationError(
            _("Hãy ghi loại vật tư và tên sản phẩm đã bón hoặc phun.")
        )
    if (
        fields["input_type"] == InputType.PESTICIDE
        and fields.get("pre_harvest_days") is None
    ):
        raise ValidationError(
            {
                "pre_harvest_days": _(
                    "Hãy ghi thời gian cách ly (số ngày) in trên bao bì thuốc."
                )
            }
        )


def _check_correction(farm: Farm, corrects: DiaryEntry) -> None:
    # Lock the corrected entry so two people cannot both correct it at once.
    target = DiaryEntry.objects.select_for_update().get(pk=corrects.pk)
    if target.farm_id != farm.pk:
        raise ValidationError(
            _("Chỉ sửa được ghi chép của chính vườn này."), code="wrong_farm"
        )
    if target.corrections.exists():
        raise ValidationError(
            _("Ghi chép này đã được sửa rồi. Hãy sửa bản ghi mới nhất."),
            code="already_corrected",
        )


def diary_entry_add(
    *,
    farm: Farm,
    kind: str,
    occurred_at: dt.datetime,
    recorded_by,
    note: str = "",
    photo=None,
    input_type: str = "",
    input_product: str = "",
    active_ingredient: str = "",
    dose: str = "",
    pre_harvest_days: int | None = None,
    corrects: DiaryEntry | None = None,
    client_id: uuid.UUID | None = None,
) -> DiaryEntry:
    """Append one entry to a farm's diary.

    Rules kept: entries are only ever added; a correction points at an entry
    of the same farm that has not been corrected yet (so corrections form a
    single line, the newest one counts); input details go only on input
    entries, and a pesticide always carries its pre-harvest interval; nothing
    is recorded as done in the future; an entry sent again with the same
    `client_id` (a phone resending its offline queue) returns the entry
    already recorded and adds nothing.
    """
    if client_id is not None:
        known = DiaryEntry.objects.filter(client_id=client_id).first()
        if known is not None:
            return _same_sender(known, farm=farm, recorded_by=recorded_by)
    if kind not in DiaryKind.values:
        raise ValidationError(_("Hãy chọn việc đã làm."))
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError(
            {"occurred_at": _("Thời gian này chưa tới. Hãy ghi việc đã làm xong.")}
        )
    fields = {
        "input_type": input_type,
        "input_product": input_product.strip(),
        "active_ingredient": active_ingredient.strip(),
        "dose": dose.strip(),
        "pre_harvest_days": pre_harvest_days,
    }
    _check_input_fields(kind, fields)
    with transaction.atomic():
        if corrects is not None:
            _check_correction(farm, corrects)
        entry = DiaryEntry(
            farm=farm,
            kind=kind,
            occurred_at=occurred_at,
            note=note.strip(),
            photo=photo,
            corrects=corrects,
            recorded_by=recorded_by,
            client_id=client_id,
            **fields,
        )
        entry.full_clean(
            exclude=["farm", "corrects", "recorded_by", "photo", "client_id"]
        )
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
        except IntegrityError:
            # The same entry arrived twice at once: the other request won.
            known = DiaryEntry.objects.filter(client_id=client_id).first()
            if client_id is None or known is None:
                raise
            return _same_sender(known, farm=farm, recorded_by=recorded_by)
    return entry


def _same_sender(known: DiaryEntry, *, farm: Farm, recorded_by) -> DiaryEntry:
    """A resent entry is only the same entry when it names the same farm and
    comes from the same person; anything else reusing the id is refused."""
    same_user = getattr(recorded_by, "pk", None) == known.recorded_by_id
    if known.farm_id != farm.pk or not same_user:
        raise ValidationError(
            _("Mã ghi chép này đã được dùng. Hãy tải lại trang rồi ghi lại."),
            code="client_id_taken",
        )
    return known


def _local_day_end(day: dt.date) -> dt.datetime:
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(start)


def pesticide_harvest_from(entry: DiaryEntry) -> dt.date:
    """First day a harvest is allowed after this spray: local day + interval."""
    sprayed_on = timezone.localdate(entry.occurred_at)
    return sprayed_on + dt.timedelta(days=entry.pre_harvest_days or 0)


def pre_harvest_interval_blocking(*, farm: Farm, on: dt.date) -> DiaryEntry | None:
    """The pesticide entry that forbids harvesting `farm` on `on`, or None.

    A pesticide sprayed on (local) day d with an interval of n days allows
    harvest from day d + n (`pesticide_harvest_from`). Only entries that have
    not been corrected count (a correction replaces the entry it corrects).
    When several are running, the one that ends last is returned.
    """
    sprays = DiaryEntry.objects.filter(
        farm=farm,
        kind=DiaryKind.INPUT,
        input_type=InputType.PESTICIDE,
        pre_harvest_days__gt=0,
        corrections__isnull=True,
        occurred_at__lt=_local_day_end(on),
    )
    longest = sprays.aggregate(longest=Max("pre_harvest_days"))["longest"]
    if not longest:
        return None
    earliest = _local_day_end(on - dt.timedelta(days=longest + 1))
    running = [
        entry
        for entry in sprays.filter(occurred_at__gte=earliest)
        if on < pesticide_harvest_from(entry)
    ]
    return max(running, key=pesticide_harvest_from, default=None)
