"""Seller shipment use cases: status moves, shipping (stock consumed).

A shipment's status changes only along SHIPMENT_TRANSITIONS. Shipping takes
the units off the shelf (on hand and held both go down); cancelling an unsent
shipment gives the held units back. The order's own status follows its
shipments (packing → shipped → delivered).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from market.checkout.models import (
    SHIPMENT_TRANSITIONS,
    Order,
    Shipment,
    ShipmentStatus,
)

from .errors import InvalidTransition
from .mail import order_mail_on_commit
from .stock import (
    line_units,
    refresh_products_on_commit,
    stock_consume,
    stock_release,
    variant_product_ids,
)
from .transitions import order_follow, shipment_move


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
        units = line_units(shipment.lines.all())
        if to_status == ShipmentStatus.SHIPPED:
            stock_consume(quantities=units)
        elif to_status == ShipmentStatus.CANCELLED:
            stock_release(quantities=units)
        if to_status == ShipmentStatus.CANCELLED:
            # Shipping leaves "available" as it was; only a release changes it.
            refresh_products_on_commit(product_ids=variant_product_ids(units))
        shipment_move(
            shipment,
            to_status,
            order=order,
            occurred_at=occurred_at,
            location=location,
        )
        order_follow(order, actor=actor, note=note)
        if to_status == ShipmentStatus.SHIPPED:
            order_mail_on_commit(order, "shipped", shipment_id=shipment.pk)
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
