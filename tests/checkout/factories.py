"""Minimal catalogue builders for checkout tests: market → store → product.

Plain functions over the real services (seller_provision creates the store
page), so the pages, permissions and stock rows are the real thing.
"""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from market.checkout.models import ShippingTariff, ShippingZone
from market.models import MarketIndexPage, ProductPage, Seller, Stock, Variant
from market.services.sellers import seller_provision

_seq = itertools.count(1)

HANOI = 1
HANOI_WARD = 4  # Phường Ba Đình
HCMC = 79
HCMC_WARD = 26882  # Phường An Hội Tây
NINH_BINH = 37  # borders Hà Nội
NINH_BINH_WARD = 13579


def market_index(home_page) -> MarketIndexPage:
    existing = MarketIndexPage.objects.first()
    if existing:
        return existing
    market = MarketIndexPage(title="Chợ", slug="cho")
    home_page.add_child(instance=market)
    return market


def seller_create(home_page, *, province_code: int = HANOI, name: str = "") -> Seller:
    n = next(_seq)
    market_index(home_page)
    seller = Seller.objects.create(
        kind="household",
        legal_name=name or f"Hộ bán hàng {n}",
        tax_code=f"{8000000000 + n}",
        phone="0912345678",
        province_code=province_code,
    )
    seller_provision(seller=seller)
    return seller


def variant_create(
    seller: Seller,
    *,
    title: str = "",
    label: str = "chai 500 ml",
    price_vnd: int = 100_000,
    weight_g: int = 500,
    on_hand: int = 10,
    unit: str = "chai",
    sku: str = "",
) -> Variant:
    n = next(_seq)
    store = seller.store_page
    product = ProductPage(
        title=title or f"Sản phẩm {n}",
        slug=f"san-pham-{n}",
        seller=seller,
        category="thuc-pham",
        unit=unit,
    )
    store.add_child(instance=product)
    variant = Variant.objects.create(
        product=product,
        label=label,
        sku=sku or f"SKU-{n}",
        price_vnd=price_vnd,
        weight_g=weight_g,
    )
    Stock.objects.create(variant=variant, on_hand=on_hand)
    return variant


def tariffs_create() -> None:
    """A small table: 1 kg / 3 kg brackets per zone, 5 000 đ per extra kg,
    in place of the defaults `migrate` gives."""
    ShippingTariff.objects.all().delete()
    rows = {
        ShippingZone.SAME_PROVINCE: (20_000, 25_000),
        ShippingZone.NEIGHBOUR: (30_000, 38_000),
        ShippingZone.OTHER: (40_000, 52_000),
    }
    for zone, (light, heavy) in rows.items():
        ShippingTariff.objects.create(zone=zone, max_weight_g=1000, fee_vnd=light)
        ShippingTariff.objects.create(
            zone=zone, max_weight_g=3000, fee_vnd=heavy, extra_per_kg_vnd=5_000
        )


def user_create(username: str = "", **extra):
    n = next(_seq)
    return get_user_model().objects.create_user(
        username=username or f"khach{n}", password="mat-khau-thu-123", **extra
    )
