"""The market page every install has: created by `migrate` (cms/setup.py)."""

from __future__ import annotations

from wagtail.models import Site

from market.models import MarketIndexPage

MARKET_INTRO = "<p>Đặc sản OCOP và nông sản VietGAP, mua tận tay người làm ra.</p>"


def market_index_ensure() -> MarketIndexPage:
    """The market page "Chợ" at /cho/ under the default site's root page.
    There is only ever one (`max_count`); an existing one is returned as it
    is, whatever the operator has made of it."""
    market = MarketIndexPage.objects.first()
    if market is not None:
        return market
    site = Site.objects.get(is_default_site=True)
    market = MarketIndexPage(title="Chợ", slug="cho", intro=MARKET_INTRO)
    site.root_page.add_child(instance=market)
    market.save_revision().publish()
    return market
