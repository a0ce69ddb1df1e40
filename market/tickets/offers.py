"""The slots a tourism product page offers (a read; imports nothing of
traceability, so market's product pages may use it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from market.models import OcopCategory

from .models import TimeSlot


@dataclass(frozen=True)
class SlotChoice:
    slot: TimeSlot
    free: int


def product_slot_choices(*, product, limit: int = 60) -> list[SlotChoice] | None:
    """The upcoming slots of a tourism product's active variants, soonest
    first; None for a product that is not sold by slot."""
    if product.category != OcopCategory.TOURISM:
        return None
    slots = (
        TimeSlot.objects.filter(
            variant__product=product,
            variant__is_active=True,
            starts_at__gt=timezone.now(),
        )
        .select_related("variant")
        .order_by("starts_at", "variant__sort_order", "pk")[:limit]
    )
    return [SlotChoice(slot=slot, free=slot.free) for slot in slots]
