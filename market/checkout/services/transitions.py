"""The order and shipment state machine: the bottom layer of the services.

`order_move` and `shipment_move` are the only writers of `status`; each
checks the transition table of `market.checkout.models`, records what
changed and has no other effect (no stock, no mail). `order_follow` is the
rule by which an order follows its shipments. The use cases in `orders` and
`shipments` sit above this module; it imports neither.
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
    OrderEvent,
    OrderStatus,
    Shipment,
    ShipmentStatus,
)

from .errors import InvalidTransition

_SHIPMENT_TIMESTAMPS = {
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


def order_event_record(
    *, order: Order, from_status: str, to_status: str, actor=None, note: str = ""
) -> OrderEvent:
    """Append one line to the order's history (who, from → to, why)."""
    return OrderEvent.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note[:300],
    )


def order_move(order: Order, to_status: str, *, actor=None, note: str = "") -> None:
    """Move a locked order along ORDER_TRANSITIONS and record the event.

    For the services' own transactions; callers outside use
    `order_set_status` and the named use cases. Raises InvalidTransition for
    a move the table does not allow, and changes nothing then.
    """
    from_status = order.status
    if to_status not in ORDER_TRANSITIONS.get(from_status, set()):
        raise InvalidTransition(_("đơn hàng"), from_status, to_status)
    order.status = to_status
    fields = ["status", "updated_at"]
    if to_status == OrderStatus.CANCELLED:
        order.cancelled_at = timezone.now()
        order.hold_until = None
        fields += ["cancelled_at", "hold_until"]
    order.save(update_fields=fields)
    order_event_record(
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
    )


def shipment_move(
    shipment: Shipment,
    to_status: str,
    *,
    order: Order,
    occurred_at: dt.datetime | None = None,
    location: str = "",
) -> None:
    """Move a locked shipment along SHIPMENT_TRANSITIONS (no stock effects).

    For the services' own transactions; `market.signals.shipment_status_changed`
    goes out on commit. Raises InvalidTransition for a move the table does
    not allow.
    """
    old_status = shipment.status
    if to_status not in SHIPMENT_TRANSITIONS.get(old_status, set()):
        raise InvalidTransition(_("kiện hàng"), old_status, to_status)
    occurred_at = occurred_at or timezone.now()
    shipment.status = to_status
    fields = ["status"]
    if to_status in _SHIPMENT_TIMESTAMPS:
        setattr(shipment, _SHIPMENT_TIMESTAMPS[to_status], occurred_at)
        fields.append(_SHIPMENT_TIMESTAMPS[to_status])
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


def _follow_target(statuses: list[str]) -> str | None:
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


def order_follow(order: Order, *, actor=None, note: str = "") -> None:
    """Let a locked order follow its shipments: any shipment packed or sent
    makes it `packing`, all sent makes it `shipped`, all delivered makes it
    `delivered`. Unpaid, cancelled and refunded orders stay where they are,
    and the order never moves against ORDER_TRANSITIONS."""
    if order.status not in _FOLLOWING:
        return
    statuses = list(order.shipments.values_list("status", flat=True))
    target = _follow_target(statuses)
    if (
        target
        and target != order.status
        and target in ORDER_TRANSITIONS.get(order.status, set())
    ):
        order_move(order, target, actor=actor, note=note)
