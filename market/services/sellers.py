"""Seller lifecycle: applications, approval, store provisioning."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from market.models import MarketIndexPage, Seller, StorePage


class MarketNotSetUp(RuntimeError):
    """There is no market index page to hang stores under."""


@transaction.atomic
def seller_provision(*, seller: Seller) -> StorePage:
    """Give a seller its live StorePage under the market index.

    Idempotent: a seller that already has a store keeps it. After it returns
    the seller has exactly one StorePage.
    """
    existing = StorePage.objects.filter(seller=seller).first()
    if existing is not None:
        return existing
    market = MarketIndexPage.objects.first()
    if market is None:
        raise MarketNotSetUp("Create the market index page (seed_demo) first.")
    slug = slugify(seller.legal_name) or f"cua-hang-{seller.pk}"
    if StorePage.objects.filter(slug=slug).exists():
        slug = f"{slug}-{seller.pk}"
    store = StorePage(title=seller.legal_name, slug=slug, seller=seller)
    market.add_child(instance=store)
    store.save_revision().publish()
    return store
