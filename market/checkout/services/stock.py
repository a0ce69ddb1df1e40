"""Stock moves made by orders: allocate, release, consume.

Every function here runs inside the caller's transaction, locks the `Stock`
rows it touches with `select_for_update()` in primary-key order (so two
orders sharing variants cannot deadlock) and changes quantities with `F()`.
The database check constraints on `market.Stock` are the backstop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.db.models import F

from market.models import Stock, Variant
from market.services.catalogue import product_refresh_summaries


def stock_lock(*, variant_ids: Iterable[int]) -> dict[int, Stock]:
    """Lock and return the stock rows of these variants, in primary-key order."""
    rows = Stock.objects.select_for_update().filter(pk__in=set(variant_ids))
    return {row.pk: row for row in rows.order_by("pk")}


def stock_allocate(*, quantities: Mapping[int, int]) -> None:
    """Hold units for an order. Raises IntegrityError if one would exceed on hand
    (the caller has checked availability under the same locks)."""
    _apply(quantities, allocated=+1)


def stock_release(*, quantities: Mapping[int, int]) -> None:
    """Give back held units (order cancelled or expired, shipment cancelled)."""
    _apply(quantities, allocated=-1)


def stock_consume(*, quantities: Mapping[int, int]) -> None:
    """Units leave the shelf: on hand and held both go down (shipment shipped)."""
    _apply(quantities, allocated=-1, on_hand=-1)


def _apply(quantities: Mapping[int, int], *, allocated: int, on_hand: int = 0) -> None:
    stock_lock(variant_ids=quantities)
    for variant_id in sorted(quantities):
        quantity = quantities[variant_id]
        changes = {"allocated": F("allocated") + allocated * quantity}
        if on_hand:
            changes["on_hand"] = F("on_hand") + on_hand * quantity
        Stock.objects.filter(pk=variant_id).update(**changes)


def line_units(lines) -> dict[int, int]:
    """Units per variant held by these order lines (a line whose variant was
    deleted holds nothing)."""
    units: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.variant_id is not None:
            units[line.variant_id] += line.quantity
    return dict(units)


def variant_product_ids(variant_ids: Iterable[int]) -> list[int]:
    """The products these variants belong to (for the listings' summaries)."""
    return list(
        Variant.objects.filter(pk__in=variant_ids).values_list("product_id", flat=True)
    )


def refresh_products_on_commit(*, product_ids: Iterable[int]) -> None:
    """After commit, refresh the products' `in_stock` summary for listings."""
    ids = sorted(set(product_ids))
    if not ids:
        return

    transaction.on_commit(lambda: product_refresh_summaries(product_ids=ids))


__all__ = [
    "IntegrityError",
    "line_units",
    "stock_allocate",
    "stock_consume",
    "stock_lock",
    "stock_release",
    "variant_product_ids",
]
