"""Packing: which lot(s) filled each order line of a seller shipment, and
the lot events that follow the parcel (shipping at pick-up, receiving at
delivery). Traceability owns the link (`LotAllocation`) because market
never imports traceability.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from market.checkout.models import Order, OrderLine, Shipment, ShipmentStatus
from market.checkout.services import shipment_set_status
from traceability.models import Lot, LotAllocation, LotEvent, LotEventKind, LotStatus
from traceability.selectors import shipment_place
from traceability.services.events import lot_event_append

# What a shipment status means for the lots inside it (CBV words).
SHIPMENT_LOT_EVENTS = {
    ShipmentStatus.SHIPPED: (LotEventKind.SHIPPING, "shipping", "in_transit"),
    ShipmentStatus.DELIVERED: (LotEventKind.RECEIVING, "receiving", "in_progress"),
}


def lot_suggest_for_line(*, order_line: OrderLine) -> Lot | None:
    """The lot to pack first: the active lot of the line's variant, from one
    of the seller's own farms, that expires first (lots without a best-before
    last, then the oldest harvest)."""
    if order_line.variant_id is None:
        return None
    return (
        Lot.objects.filter(
            variant_id=order_line.variant_id,
            status=LotStatus.ACTIVE,
            farm__seller_id=order_line.shipment.seller_id,
        )
        .order_by(F("best_before").asc(nulls_last=True), "harvested_on", "pk")
        .first()
    )


def _check_allocations(
    shipment: Shipment, allocations: Iterable[tuple[OrderLine, Lot, int]]
) -> dict[tuple[int, int], int]:
    per_pair: dict[tuple[int, int], int] = defaultdict(int)
    per_line: dict[int, int] = defaultdict(int)
    lines = {line.pk: line for line in shipment.lines.all()}
    for line, lot, quantity in allocations:
        if line.pk not in lines:
            raise ValidationError(_("Dòng hàng này không thuộc kiện đang đóng."))
        if lot.variant_id != line.variant_id:
            raise ValidationError(
                _("Lô %(lot)s không phải của %(product)s.")
                % {"lot": lot.code, "product": line.product_title}
            )
        if lot.farm.seller_id != shipment.seller_id or lot.status != LotStatus.ACTIVE:
            raise ValidationError(
                _("Lô %(lot)s không dùng được (đã thu hồi, hết hạn hoặc của nơi khác).")
                % {"lot": lot.code}
            )
        if quantity < 1:
            raise ValidationError(_("Số lượng lấy từ mỗi lô phải từ 1 trở lên."))
        per_pair[(line.pk, lot.pk)] += quantity
        per_line[line.pk] += quantity
    for line_pk, total in per_line.items():
        if total > lines[line_pk].quantity:
            raise ValidationError(
                _("%(product)s: chỉ cần %(need)s, bạn đã ghi %(got)s.")
                % {
                    "product": lines[line_pk].product_title,
                    "need": lines[line_pk].quantity,
                    "got": total,
                }
            )
    return per_pair


def shipment_pack(
    *,
    shipment: Shipment,
    allocations: list[tuple[OrderLine, Lot, int]],
    actor,
) -> list[LotAllocation]:
    """Record which lots filled the shipment's lines and mark it packed.

    Rules kept: every lot is active, of the line's variant and from the
    shipment's own seller; no line gets more units than were ordered; the
    allocations and the `packed` status are written together or not at all.
    Lines of products without lots may be left out. Raises ValidationError
    (a Vietnamese message) or checkout's InvalidTransition when the shipment
    is no longer waiting to be packed.
    """
    with transaction.atomic():
        Order.objects.select_for_update().filter(pk=shipment.order_id).first()
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if shipment.status != ShipmentStatus.TO_PACK:
            raise ValidationError(_("Kiện này không còn ở bước đóng gói."))
        per_pair = _check_allocations(shipment, allocations)
        rows = [
            LotAllocation(order_line_id=line_pk, lot_id=lot_pk, quantity=quantity)
            for (line_pk, lot_pk), quantity in sorted(per_pair.items())
        ]
        created = LotAllocation.objects.bulk_create(rows)
        shipment_set_status(
            shipment=shipment, to_status=ShipmentStatus.PACKED, actor=actor
        )
    return created


def lot_events_for_shipment(
    *,
    shipment: Shipment,
    new_status: str,
    occurred_at: dt.datetime,
    location: str = "",
) -> list[LotEvent]:
    """Append a `shipping` (picked up) or `receiving` (delivered) event to
    every lot packed into the shipment. Idempotent: a lot that already has
    this event for this shipment gets no second one."""
    if new_status not in SHIPMENT_LOT_EVENTS:
        return []
    kind, biz_step, disposition = SHIPMENT_LOT_EVENTS[new_status]
    quantities: dict[int, int] = defaultdict(int)
    for lot_id, quantity in LotAllocation.objects.filter(
        order_line__shipment_id=shipment.pk
    ).values_list("lot_id", "quantity"):
        quantities[lot_id] += quantity
    read_point, place = shipment_place(shipment=shipment, typed=location)
    events = []
    for lot in Lot.objects.filter(pk__in=quantities).order_by("pk"):
        with transaction.atomic():
            done = LotEvent.objects.filter(
                lot=lot, kind=kind, data__shipment=shipment.pk
            ).exists()
            if done:
                continue
            events.append(
                lot_event_append(
                    lot=lot,
                    kind=kind,
                    occurred_at=occurred_at,
                    biz_step=biz_step,
                    disposition=disposition,
                    read_point=read_point,
                    data={
                        "shipment": shipment.pk,
                        "quantity": quantities[lot.pk],
                        **place,
                    },
                )
            )
    return events


def lot_orders(*, lot: Lot) -> QuerySet[Order]:
    """The orders a lot reached (through packing), with their shoppers."""
    return (
        Order.objects.filter(
            lines__pk__in=LotAllocation.objects.filter(lot=lot).values("order_line_id")
        )
        .distinct()
        .order_by("pk")
    )


def shipments_to_pack(*, seller_ids: list[int] | None) -> QuerySet[Shipment]:
    """Shipments waiting to be packed; only the given sellers' (None: all)."""
    shipments = Shipment.objects.filter(status=ShipmentStatus.TO_PACK).select_related(
        "order", "seller"
    )
    if seller_ids is not None:
        shipments = shipments.filter(seller_id__in=seller_ids)
    return shipments.order_by("created_at", "pk")
