"""Factories for sellers, applications and certifications (the sellers area).

Tax codes are generated with a valid check digit; wards are real codes from
`vietnam-provinces` so the address rules hold.
"""

from __future__ import annotations

import datetime as dt
import secrets

import factory
from stdnum.vn import mst

from market import places
from market.models import (
    Certification,
    CertificationKind,
    MarketIndexPage,
    ReviewStatus,
    Seller,
    SellerApplication,
    SellerKind,
)
from tests.factories import UserFactory

QUANG_NAM_DA_NANG = places.find_province("Thành phố Đà Nẵng")
HOI_AN_WARD = places.wards(QUANG_NAM_DA_NANG)[0][0]
HA_NOI = places.find_province("Thành phố Hà Nội")


def valid_tax_code(n: int) -> str:
    """The n-th valid 10-digit tax code (check digit computed, not typed)."""
    base = f"{(n % 10**8) + 10**8:09d}"[:9]
    return base + str(mst.calc_check_digit(base))


def market_index(home_page) -> MarketIndexPage:
    market = MarketIndexPage.objects.first()
    if market is None:
        market = MarketIndexPage(title="Chợ", slug="cho")
        home_page.add_child(instance=market)
        market.save_revision().publish()
    return market


class SellerApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerApplication

    kind = SellerKind.HOUSEHOLD
    legal_name = factory.Sequence(lambda n: f"Hộ kinh doanh Nước mắm số {n}")
    tax_code = factory.Sequence(lambda n: valid_tax_code(n + 1000))
    contact_name = "Trần Thị Hoa"
    phone = factory.Sequence(lambda n: f"0905{n:06d}")
    email = factory.Sequence(lambda n: f"nongdan{n}@example.vn")
    province_code = QUANG_NAM_DA_NANG
    ward_code = HOI_AN_WARD
    bank_bin = "970405"
    bank_account_number = "1234567890"
    bank_account_name = "TRAN THI HOA"
    access_token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    kind = SellerKind.COOPERATIVE
    legal_name = factory.Sequence(lambda n: f"Hợp tác xã Rau sạch số {n}")
    tax_code = factory.Sequence(lambda n: valid_tax_code(n + 5000))
    phone = factory.Sequence(lambda n: f"0987{n:06d}")
    email = factory.Sequence(lambda n: f"htx{n}@example.vn")
    province_code = QUANG_NAM_DA_NANG
    ward_code = HOI_AN_WARD


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    seller = factory.SubFactory(SellerFactory)
    kind = CertificationKind.VIETGAP
    number = factory.Sequence(lambda n: f"VG-{n:05d}")
    issuer = "Trung tâm Chứng nhận Phù hợp (Quacert)"
    scope = "Rau ăn lá, 2 ha"
    issued_on = dt.date(2025, 1, 10)
    valid_until = dt.date(2027, 1, 9)
    status = ReviewStatus.APPROVED


def seller_with_login(**kwargs):
    """A provisioned seller (store, group, collection) with its own login."""
    from market.services.sellers import seller_provision

    seller = SellerFactory(**kwargs)
    user = UserFactory(username=seller.phone)
    seller.users.add(user)
    store = seller_provision(seller=seller)
    seller.refresh_from_db()
    return seller, user, store


def product_in(store, *, title: str, price: int = 85000, live: bool = True):
    """A product page with one variant under a store (published unless not live)."""
    from market.models import OcopCategory, ProductPage, Variant

    product = ProductPage(
        title=title,
        slug=None,
        category=OcopCategory.FOOD,
        unit="chai",
        seller=store.seller,
        live=live,
    )
    product.slug = factory.Faker._get_faker().unique.slug()
    product.variants.add(
        Variant(
            label="500 ml",
            sku=f"SKU-{secrets.token_hex(4)}",
            price_vnd=price,
            weight_g=600,
        )
    )
    store.add_child(instance=product)
    revision = product.save_revision()
    if live:
        revision.publish()
    return product


def png_bytes(size=(40, 30)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 40)).save(buffer, "PNG")
    return buffer.getvalue()
