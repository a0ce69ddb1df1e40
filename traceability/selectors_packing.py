"""Packing reads: the lot to pack first, the shipments waiting to be packed,
and the orders a lot reached."""

from __future__ import annotations

from django.db.models import F, QuerySet

from market.checkout.models import Order, OrderLine, Shipment, ShipmentStatus
from traceability.models import Lot, LotAllocation, LotStatus


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
