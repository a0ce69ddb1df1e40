"""Catalogue factories shared by the suite: sellers, stores, products with
variants and stock, certifications and product photos.

    seller = SellerFactory()
    product = product_create(seller=seller, variants=[("500 ml", 85_000, 10)])

Stores hang under the market index (`market_ensure`), created through the
real services, so pages are ordinary live Wagtail pages.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

import factory
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from stdnum.vn import mst
from wagtail.images import get_image_model
from wagtail.models import Page

from market import places
from market.models import (
    Certification,
    CertificationKind,
    MarketIndexPage,
    OcopCategory,
    ProductImage,
    ProductPage,
    ReviewStatus,
    Seller,
    SellerKind,
    Stock,
    StorePage,
    Variant,
)
from market.services.catalogue import product_refresh_summary
from market.services.sellers import seller_provision

DA_NANG = places.find_province("Thành phố Đà Nẵng")
PHU_THO = places.find_province("Tỉnh Phú Thọ")
CAN_THO = places.find_province("Thành phố Cần Thơ")
HOI_AN_DONG = places.find_ward(province_code=DA_NANG, name="Phường Hội An Đông")
TAM_DAO = places.find_ward(province_code=PHU_THO, name="Xã Tam Đảo")

_tax_numbers = itertools.count(500_000)
_gtin_numbers = itertools.count(1)


def valid_tax_code() -> str:
    """A fresh 10-digit tax code with a correct check digit, not yet used."""
    while True:
        base = f"{next(_tax_numbers) + 300_000_000:09d}"
        try:
            code = mst.validate(base + mst.calc_check_digit(base))
        except Exception:  # noqa: S112 - some bases have no valid check digit
            continue
        if not Seller.objects.filter(tax_code=code).exists():
            return code


def valid_gtin13() -> str:
    """A fresh GTIN-13 under Vietnam's 893 prefix with its check digit."""
    while True:
        first12 = f"8939999{next(_gtin_numbers):05d}"
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
        gtin = first12 + str((10 - total % 10) % 10)
        if not Variant.objects.filter(gtin=gtin).exists():
            return gtin


def market_ensure() -> MarketIndexPage:
    """The market index (slug `cho`) under the site's home page."""
    market = MarketIndexPage.objects.first()
    if market is None:
        from cms.demo import seed_site

        home = seed_site()
        existing = home.get_children().filter(slug="cho").first()
        if existing is not None:  # made by migrate, typed row lost by a flush
            existing.delete()
        market = MarketIndexPage(title="Chợ", slug="cho")
        home.add_child(instance=market)
        market.save_revision().publish()
    return market


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    kind = SellerKind.HOUSEHOLD
    legal_name = factory.Sequence(lambda n: f"Hộ kinh doanh Thử Nghiệm {n}")
    tax_code = factory.LazyFunction(valid_tax_code)
    phone = factory.Sequence(lambda n: f"0905{n % 1000000:06d}")
    province_code = DA_NANG
    ward_code = HOI_AN_DONG


def store_for(seller: Seller) -> StorePage:
    market_ensure()
    return seller_provision(seller=seller)


def product_create(
    *,
    seller: Seller | None = None,
    title: str = "Nước mắm cá cơm",
    variants: list[tuple] = (("500 ml", 85_000, 10),),
    category: str = OcopCategory.FOOD,
    unit: str = "chai",
    description: str = "<p>Cá cơm ủ chượp 12 tháng.</p>",
    live: bool = True,
) -> ProductPage:
    """A product page in the seller's store with variants and stock.

    `variants` holds (label, price_vnd, on_hand[, gtin]) tuples. The summary
    fields are refreshed, as the catalogue services always do."""
    seller = seller or SellerFactory()
    store = store_for(seller)
    product = ProductPage(
        title=title,
        seller=seller,
        category=category,
        unit=unit,
        description=description,
    )
    store.add_child(instance=product)
    if live:
        product.save_revision().publish()
    else:
        product.live = False
        product.save_revision()
        Page.objects.filter(pk=product.pk).update(live=False)
    for order, spec in enumerate(variants):
        label, price, on_hand = spec[:3]
        gtin = spec[3] if len(spec) > 3 else valid_gtin13()
        variant = Variant.objects.create(
            product=product,
            label=label,
            price_vnd=price,
            sku=f"T-{gtin}",
            gtin=gtin,
            weight_g=500,
            sort_order=order,
        )
        Stock.objects.create(variant=variant, on_hand=on_hand)
    return product_refresh_summary(product=product)


def certification_create(
    *,
    product: ProductPage | None = None,
    seller: Seller | None = None,
    kind: str = CertificationKind.OCOP,
    stars: int | None = 4,
    status: str = ReviewStatus.APPROVED,
    valid_until: dt.date | None = None,
    number: str | None = None,
) -> Certification:
    """A certification (approved and valid for a year unless told); the
    product's summary is refreshed."""
    seller = seller or product.seller
    cert = Certification.objects.create(
        seller=seller,
        product=product,
        kind=kind,
        stars=stars if kind == CertificationKind.OCOP else None,
        number=number or f"{kind.upper()}-{next(_gtin_numbers):05d}",
        issuer="UBND tỉnh",
        status=status,
        valid_until=valid_until or dt.date.today() + dt.timedelta(days=365),
    )
    if product is not None:
        product_refresh_summary(product=product)
    return cert


def image_create(*, title: str = "Ảnh thử", color: str = "#2e7d32", size=(800, 600)):
    """A real JPEG saved as a Wagtail image."""
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format="JPEG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{title}.jpg")
    )


def product_photo_add(*, product: ProductPage, alt_text: str = "") -> ProductImage:
    return ProductImage.objects.create(
        product=product, image=image_create(title=product.title), alt_text=alt_text
    )
