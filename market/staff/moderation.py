"""What happens when moderation publishes a page.

Wagtail publishes an approved revision itself (workflow approval, scheduled
publishing, the operator's publish button), so the product's derived summary
fields are refreshed from the page_published signal: the published variants
may carry new prices. The receiver only calls the catalogue service.
"""

from __future__ import annotations

from django.dispatch import receiver
from wagtail.signals import page_published

from market.models import ProductPage
from market.services.catalogue import product_refresh_summary


@receiver(page_published, dispatch_uid="market_product_published_refresh")
def product_published(sender, instance, **kwargs):
    if isinstance(instance, ProductPage):
        product_refresh_summary(product=instance)
