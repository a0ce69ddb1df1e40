"""Catalogue write-side rules: product summaries and stock.

The summary fields on `ProductPage` (`province_code`, `price_min`,
`ocop_stars`, `has_vietgap`, `in_stock`) are derived state. Every service that
changes what they are derived from (variants, stock, certifications, the
seller's address) calls `product_refresh_summary` or
`product_refresh_summaries` before it returns, so listing and filtering never
need to join variants or certifications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import (
    Certification,
    CertificationKind,
    ProductPage,
    ReviewStatus,
    Seller,
    Stock,
    Variant,
)
from market.page_cache import products_purge_on_commit

# Stay well under SQLite's bound-parameter limit in `pk__in` lists.
_CHUNK = 500


class StockError(ValueError):
    """A stock change that would break a stock invariant."""


def _valid_certifications(*, kind: str, day: dt.date):
    """Approved, in-date certifications of `kind` that apply to the outer
    product: its own, or its seller's store-wide ones (product left empty)."""
    return Certification.objects.filter(
        Q(product=OuterRef("pk"))
        | Q(product__isnull=True, seller=OuterRef("seller_id")),
        kind=kind,
        status=ReviewStatus.APPROVED,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def _summary_expressions(day: dt.date) -> dict:
    active = Variant.objects.filter(product=OuterRef("pk"), is_active=True)
    return {
        "province_code": Subquery(
            Seller.objects.filter(pk=OuterRef("seller_id")).values("province_code")[:1]
        ),
        "price_min": Subquery(active.order_by("price_vnd").values("price_vnd")[:1]),
        "ocop_stars": Subquery(
            _valid_certifications(kind=CertificationKind.OCOP, day=day)
            .order_by("-stars")
            .values("stars")[:1]
        ),
        "has_vietgap": Exists(
            _valid_certifications(kind=CertificationKind.VIETGAP, day=day)
        ),
        # A tourism ticket (market.tickets) is "in stock" while an upcoming
        # slot has a free place; the daily run drops slots that started.
        "in_stock": Exists(
            active.filter(
                Q(stock__on_hand__gt=F("stock__allocated"))
                | Q(
                    time_slots__starts_at__gt=timezone.now(),
                    time_slots__capacity__gt=F("time_slots__booked"),
                )
            )
        ),
    }


def product_refresh_summaries(
    *, product_ids: Iterable[int] | None = None, day: dt.date | None = None
) -> int:
    """Recompute the summary fields of many products in a few UPDATEs.

    After it returns, each product's `price_min` is the lowest price of its
    active variants, `in_stock` says whether an active variant has units not
    held by orders, `ocop_stars` / `has_vietgap` count only approved
    certifications in date on `day` (today by default), and `province_code`
    is the seller's. `product_ids=None` refreshes every product (the daily
    run that lets expired certificates drop out of the filters).
    Returns the number of products updated.
    """
    expressions = _summary_expressions(day or timezone.localdate())
    if product_ids is None:
        products_purge_on_commit(product_ids=None)
        return ProductPage.objects.update(**expressions)
    ids = sorted(set(product_ids))
    # What the summaries come from (stock, prices, certificates) shows on the
    # product pages and the listings: their cached copies go.
    products_purge_on_commit(product_ids=ids)
    updated = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        updated += ProductPage.objects.filter(pk__in=chunk).update(**expressions)
    return updated


def product_refresh_summary(*, product: ProductPage) -> ProductPage:
    """Recompute one product's summary fields and return it refreshed."""
    product_refresh_summaries(product_ids=[product.pk])
    product.refresh_from_db(
        fields=["province_code", "price_min", "ocop_stars", "has_vietgap", "in_stock"]
    )
    return product


def seller_refresh_summaries(*, seller: Seller) -> int:
    """Refresh every product of a seller (its address or store-wide
    certifications changed)."""
    ids = list(ProductPage.objects.filter(seller=seller).values_list("pk", flat=True))
    return product_refresh_summaries(product_ids=ids)


@transaction.atomic
def stock_set(*, variant: Variant, on_hand: int) -> Stock:
    """Set the units on hand of a variant (a stock count by the seller).

    Units already held by orders stay held: setting on hand below them is
    refused, so a count can never oversell. The product's `in_stock` summary
    is refreshed before returning.
    """
    if on_hand < 0:
        raise StockError(_("Số lượng tồn kho không được âm."))
    stock, _created = Stock.objects.select_for_update().get_or_create(variant=variant)
    if on_hand < stock.allocated:
        raise StockError(
            _(
                "Đang có %(held)s đơn vị giữ cho đơn hàng, tồn kho không thể ít "
                "hơn số đó."
            )
            % {"held": stock.allocated}
        )
    stock.on_hand = on_hand
    stock.save(update_fields=["on_hand", "updated_at"])
    product_refresh_summaries(product_ids=[variant.product_id])
    return stock
