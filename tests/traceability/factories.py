"""Factories for traceability tests (farms, lots with a variant).

Products hang under the Wagtail root page (the tree shape does not matter to
these tests).
"""

from __future__ import annotations

import datetime as dt

import factory
from django.conf import settings
from stdnum.vn import mst
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from market.models import ProductPage, Seller, Variant
from tests.factories import UserFactory
from traceability.digital_link import gtin_check_digit
from traceability.models import DiaryEntry, DiaryKind, Farm, Lot

HA_NOI = 1  # province code of Hà Nội


def _tax_code(n: int) -> str:
    body = f"{(n * 7919) % 100_000_000:08d}"
    body = "0" + body  # 9 digits, the 10th is the check digit
    return body + mst.calc_check_digit(body)


def _gtin13(n: int) -> str:
    # 893 is Vietnam's GS1 prefix.
    body = f"893{n % 1_000_000_000:09d}"
    return body + gtin_check_digit(body)


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller
        skip_postgeneration_save = True

    kind = "household"
    legal_name = factory.Sequence(lambda n: f"Hộ kinh doanh Nguyễn Văn {n}")
    tax_code = factory.Sequence(lambda n: _tax_code(n + 1))
    phone = "0912345678"
    province_code = HA_NOI

    @factory.post_generation
    def users(self, create, extracted, **kwargs):
        if create and extracted:
            self.users.add(*extracted)


class ProductPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductPage

    title = factory.Sequence(lambda n: f"Nước mắm cá cơm {n}")
    slug = factory.Sequence(lambda n: f"san-pham-{n}")
    seller = factory.SubFactory(SellerFactory)
    category = "thuc-pham"
    unit = "chai"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        page = model_class(*args, **kwargs)
        _root_page().add_child(instance=page)
        return page


def _root_page() -> Page:
    """Wagtail's root page; `transaction=True` tests flush the one the
    migrations made, so make it again when it is gone."""
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductPageFactory)
    label = "chai 500 ml"
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    gtin = factory.Sequence(lambda n: _gtin13(n + 1))
    price_vnd = 150_000


class FarmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Farm

    seller = factory.SubFactory(SellerFactory)
    name = factory.Sequence(lambda n: f"Vườn số {n}")
    province_code = HA_NOI
    crops = "su su"


class DiaryEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiaryEntry

    farm = factory.SubFactory(FarmFactory)
    kind = DiaryKind.OBSERVATION
    occurred_at = factory.LazyFunction(
        lambda: dt.datetime(2026, 9, 1, 7, 0, tzinfo=dt.UTC)
    )
    note = "Cây phát triển tốt"


class LotFactory(factory.django.DjangoModelFactory):
    """A lot row only (no events). Use `traceability.services.lots.lot_create`
    when the test needs the commissioning event and the PHI rule."""

    class Meta:
        model = Lot

    farm = factory.SubFactory(FarmFactory)
    variant = factory.SubFactory(
        VariantFactory, product__seller=factory.SelfAttribute("...farm.seller")
    )
    code = factory.Sequence(lambda n: f"L{n:05d}")
    harvested_on = dt.date(2026, 10, 1)
    packed_on = dt.date(2026, 10, 2)
    best_before = dt.date(2027, 10, 1)
    quantity = 500


__all__ = [
    "DiaryEntryFactory",
    "FarmFactory",
    "LotFactory",
    "ProductPageFactory",
    "SellerFactory",
    "UserFactory",
    "VariantFactory",
]
