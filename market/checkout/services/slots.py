"""Places in tourism time slots, moved by orders like stock: hold, sell, free.

A variant of a product in OCOP category "dịch vụ du lịch" is sold by dated
slot (`market.tickets.models.TimeSlot`), never from `Stock`. Every function
here runs inside the caller's transaction and locks the slot rows it touches
with `select_for_update()` in primary-key order, after the order, shipment
and stock rows (the lock order of `orders.py`); places change with `F()`, and
the check constraint `booked ≤ capacity` is the backstop.

One ticket row per unit: `held` while the order is unpaid, `valid` once
paid, `used` after check-in, `cancelled` / `refunded` when the place is
given back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db.models import Count, F
from django.utils import timezone

from market.checkout.models import Order, OrderLine
from market.models import OcopCategory, Variant
from market.tickets.models import HOLDING, Ticket, TicketStatus, TimeSlot


def variant_sold_by_slot(variant: Variant) -> bool:
    """True for the variants of a tourism product: sold as dated slots."""
    return variant.product.category == OcopCategory.TOURISM


def slot_upcoming(*, slot_id: int, variant_id: int) -> TimeSlot | None:
    """The slot, if it belongs to this variant and has not started yet."""
    return TimeSlot.objects.filter(
        pk=slot_id, variant_id=variant_id, starts_at__gt=timezone.now()
    ).first()


def slots_lock(*, slot_ids: Iterable[int]) -> dict[int, TimeSlot]:
    """Lock and return these slot rows, in primary-key order."""
    rows = TimeSlot.objects.select_for_update().filter(pk__in=set(slot_ids))
    return {row.pk: row for row in rows.order_by("pk")}


def slot_free_places(*, slot: TimeSlot | None) -> int:
    """Places a new order may still take: 0 once the slot has started."""
    if slot is None or slot.starts_at <= timezone.now():
        return 0
    return slot.free


def slots_book(*, order: Order, lines: Iterable[OrderLine], slots: Mapping) -> int:
    """Take the places of these ticket lines and issue one held ticket per unit.

    `slots` maps variant id → locked TimeSlot (the caller checked the free
    places under the same locks). Returns how many tickets were issued.
    """
    tickets = []
    taken: dict[int, int] = defaultdict(int)
    for line in lines:
        slot = slots.get(line.variant_id)
        if slot is None:
            continue
        taken[slot.pk] += line.quantity
        tickets += [
            Ticket(slot=slot, order=order, line=line, seller_id=line.shipment.seller_id)
            for _unit in range(line.quantity)
        ]
    for slot_id in sorted(taken):
        TimeSlot.objects.filter(pk=slot_id).update(booked=F("booked") + taken[slot_id])
    Ticket.objects.bulk_create(tickets)
    return len(tickets)


def tickets_validate(*, order: Order) -> int:
    """The order is paid: its held tickets become valid. Returns how many."""
    return Ticket.objects.filter(order=order, status=TicketStatus.HELD).update(
        status=TicketStatus.VALID
    )


def tickets_release(
    *,
    order: Order | None = None,
    ticket_ids: Iterable[int] | None = None,
    to_status: str = TicketStatus.CANCELLED,
    upcoming_only: bool = False,
) -> int:
    """Give the places of an order's (or these) unused tickets back.

    Held and valid tickets become `to_status` and their slots' `booked` goes
    down; used tickets are never released. With `upcoming_only`, tickets of
    slots that already started keep their place (nobody can use it now).
    Returns how many tickets were released.
    """
    tickets = Ticket.objects.filter(status__in=[TicketStatus.HELD, TicketStatus.VALID])
    if order is not None:
        tickets = tickets.filter(order=order)
    if ticket_ids is not None:
        tickets = tickets.filter(pk__in=list(ticket_ids))
    if upcoming_only:
        tickets = tickets.filter(slot__starts_at__gt=timezone.now())
    slot_ids = set(tickets.values_list("slot_id", flat=True))
    if not slot_ids:
        return 0
    slots_lock(slot_ids=slot_ids)
    ids = list(
        Ticket.objects.select_for_update()
        .filter(pk__in=tickets.values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    per_slot = (
        Ticket.objects.filter(pk__in=ids).values("slot_id").annotate(n=Count("pk"))
    )
    counts = {row["slot_id"]: row["n"] for row in per_slot}
    for slot_id in sorted(counts):
        TimeSlot.objects.filter(pk=slot_id).update(booked=F("booked") - counts[slot_id])
    Ticket.objects.filter(pk__in=ids).update(status=to_status)
    return len(ids)


def tickets_not_refundable_vnd(*, order: Order) -> int:
    """What the order's tickets that can no longer be refunded are worth:
    used tickets and tickets of slots that already started."""
    now = timezone.now()
    total = 0
    for ticket in Ticket.objects.filter(order=order, status__in=HOLDING).select_related(
        "slot", "line"
    ):
        if ticket.status == TicketStatus.USED or ticket.slot.starts_at <= now:
            total += ticket.line.unit_price_vnd
    return total
