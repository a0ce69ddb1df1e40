"""Seller shipment use cases: status moves, shipping (stock consumed).

A shipment's status changes only along SHIPMENT_TRANSITIONS. Shipping takes
the units off the shelf (on hand and held both go down); cancelling an unsent
shipment gives the held units back. The order's own status follows its
shipments (packing → shipped → delivered).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market import signals
from market.checkout.models import (
    ORDER_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    Order,
    OrderStatus,
    Shipment,
    ShipmentStatus,
)

from .errors import InvalidTransition
from .orders import _held_quantities, _mail_on_commit, _product_ids, order_move
from .stock import refresh_products_on_commit, stock_consume, stock_release

_TIMESTAMPS = {
    ShipmentStatus.PACKED: "packed_at",
    ShipmentStatus.SHIPPED: "shipped_at",
    ShipmentStatus.DELIVERED: "delivered_at",
}
# Order statuses that follow the shipments' progress.
_FOLLOWING = {
    OrderStatus.PAID,
    OrderStatus.PACKING,
    OrderStatus.SHIPPED,
    OrderStatus.PARTLY_REFUNDED,
}
_SENT = {ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED}


def shipment_move(
    shipment: Shipment,
    to_status: str,
    *,
    order: Order,
    occurred_at: dt.datetime | None = None,
    location: str = "",
) -> None:
    """Move a locked shipment along SHIPMENT_TRANSITIONS (no stock effects).

    For this package's transactions; `market.signals.shipment_status_changed`
    goes out on commit.
    """
    old_status = shipment.status
    if to_status not in SHIPMENT_TRANSITIONS.get(old_status, set()):
        raise InvalidTransition(_("kiện hàng"), old_status, to_status)
    occurred_at = occurred_at or timezone.now()
    shipment.status = to_status
    fields = ["status"]
    if to_status in _TIMESTAMPS:
        setattr(shipment, _TIMESTAMPS[to_status], occurred_at)
        fields.append(_TIMESTAMPS[to_status])
    shipment.save(update_fields=fields)
    shipment.order = order
    transaction.on_commit(
        lambda: signals.shipment_status_changed.send(
            sender=Shipment,
            shipment=shipment,
            old_status=old_status,
            new_status=to_status,
            occurred_at=occurred_at,
            location=location,
        )
    )


def shipment_set_status(
    *,
    shipment: Shipment,
    to_status: str,
    actor=None,
    note: str = "",
    occurred_at: dt.datetime | None = None,
    location: str = "",
) -> Shipment:
    """Move one seller's shipment if SHIPMENT_TRANSITIONS allows it.

    `shipped` consumes the shipment's units (on hand and held both drop);
    `cancelled` releases them. The order then follows: any shipment packed or
    sent makes it `packing`, all sent makes it `shipped`, all delivered makes
    it `delivered`. Raises InvalidTransition for any other move.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=shipment.order_id)
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if to_status not in SHIPMENT_TRANSITIONS.get(shipment.status, set()):
            raise InvalidTransition(_("kiện hàng"), shipment.status, to_status)
        units = _held_quantities(shipment.lines.all())
        if to_status == ShipmentStatus.SHIPPED:
            stock_consume(quantities=units)
        elif to_status == ShipmentStatus.CANCELLED:
            stock_release(quantities=units)
        if to_status == ShipmentStatus.CANCELLED:
            # Shipping leaves "available" as it was; only a release changes it.
            refresh_products_on_commit(product_ids=_product_ids(units))
        shipment_move(
            shipment,
            to_status,
            order=order,
            occurred_at=occurred_at,
            location=location,
        )
        _order_follow(order, actor=actor, note=note)
        if to_status == ShipmentStatus.SHIPPED:
            _mail_on_commit(order, "shipped", shipment_id=shipment.pk)
    return shipment


def shipment_mark_shipped(
    *,
    shipment: Shipment,
    shipped_at: dt.datetime | None = None,
    actor=None,
    location: str = "",
) -> Shipment:
    """The seller handed the parcel to the post office: stock is consumed.

    Same rules as `shipment_set_status(to_status="shipped")`.
    """
    return shipment_set_status(
        shipment=shipment,
        to_status=ShipmentStatus.SHIPPED,
        actor=actor,
        occurred_at=shipped_at,
        location=location,
    )


def _order_target(statuses: list[str]) -> str | None:
    live = [s for s in statuses if s != ShipmentStatus.CANCELLED]
    if not live:
        return None
    if all(s == ShipmentStatus.DELIVERED for s in live):
        return OrderStatus.DELIVERED
    if all(s in _SENT for s in live):
        return OrderStatus.SHIPPED
    if any(s != ShipmentStatus.TO_PACK for s in live):
        return OrderStatus.PACKING
    return None


def _order_follow(order: Order, *, actor=None, note: str = "") -> None:
    if order.status not in _FOLLOWING:
        return
    statuses = list(order.shipments.values_list("status", flat=True))
    target = _order_target(statuses)
    if (
        target
        and target != order.status
        and target in ORDER_TRANSITIONS.get(order.status, set())
    ):
        order_move(order, target, actor=actor, note=note)
