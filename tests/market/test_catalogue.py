"""Catalogue rules: derived product summaries, stock counts and badges."""

import datetime as dt

import pytest

from market import selectors
from market.models import CertificationKind, ReviewStatus, Stock
from market.services.catalogue import (
    StockError,
    product_refresh_summaries,
    product_refresh_summary,
    stock_set,
)
from tests.factories import (
    CAN_THO,
    SellerFactory,
    certification_create,
    product_create,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def test_summary_takes_the_lowest_active_price_and_the_sellers_province():
    product = product_create(variants=[("1 lít", 150_000, 5), ("500 ml", 85_000, 5)])

    assert product.price_min == 85_000
    assert product.province_code == product.seller.province_code
    assert product.in_stock is True


def test_inactive_variant_does_not_count_for_price_or_stock():
    product = product_create(variants=[("1 lít", 150_000, 0), ("500 ml", 85_000, 5)])
    product.variants.filter(label="500 ml").update(is_active=False)

    product = product_refresh_summary(product=product)

    assert product.price_min == 150_000
    assert product.in_stock is False


def test_units_held_by_orders_are_not_in_stock():
    product = product_create(variants=[("1 kg", 30_000, 2)])
    Stock.objects.filter(variant__product=product).update(allocated=2)

    assert product_refresh_summary(product=product).in_stock is False


def test_only_approved_certifications_in_date_count():
    product = product_create()
    certification_create(product=product, stars=5, status=ReviewStatus.PENDING)
    certification_create(
        product=product, stars=4, valid_until=TODAY - dt.timedelta(days=1)
    )
    certification_create(
        product=product, kind=CertificationKind.VIETGAP, status=ReviewStatus.REJECTED
    )
    product.refresh_from_db()
    assert product.ocop_stars is None
    assert product.has_vietgap is False

    certification_create(product=product, stars=3)
    product.refresh_from_db()
    assert product.ocop_stars == 3


def test_a_store_wide_vietgap_certificate_covers_every_product_of_the_seller():
    seller = SellerFactory()
    chayote = product_create(seller=seller, title="Su su")
    greens = product_create(seller=seller, title="Rau cải")
    certification_create(seller=seller, kind=CertificationKind.VIETGAP)

    product_refresh_summaries(product_ids=[chayote.pk, greens.pk])

    chayote.refresh_from_db()
    greens.refresh_from_db()
    assert chayote.has_vietgap and greens.has_vietgap


def test_daily_refresh_drops_a_certificate_that_expired_since():
    product = product_create()
    certification_create(product=product, stars=4, valid_until=TODAY)
    assert product.__class__.objects.get(pk=product.pk).ocop_stars == 4

    product_refresh_summaries(day=TODAY + dt.timedelta(days=1))

    assert product.__class__.objects.get(pk=product.pk).ocop_stars is None


def test_summary_follows_the_seller_moving_province():
    product = product_create()
    seller = product.seller
    seller.province_code, seller.ward_code = CAN_THO, None
    seller.save()

    assert product_refresh_summary(product=product).province_code == CAN_THO


def test_stock_set_updates_on_hand_and_in_stock():
    product = product_create(variants=[("1 kg", 30_000, 0)])
    variant = product.variants.get()

    stock_set(variant=variant, on_hand=7)

    assert Stock.objects.get(variant=variant).on_hand == 7
    product.refresh_from_db()
    assert product.in_stock is True


def test_stock_set_refuses_to_count_below_units_held_for_orders():
    product = product_create(variants=[("1 kg", 30_000, 5)])
    variant = product.variants.get()
    Stock.objects.filter(variant=variant).update(allocated=3)

    with pytest.raises(StockError, match="giữ cho đơn"):
        stock_set(variant=variant, on_hand=2)
    with pytest.raises(StockError):
        stock_set(variant=variant, on_hand=-1)

    assert Stock.objects.get(variant=variant).on_hand == 5


def test_badge_shows_approved_valid_and_marks_expired_ones():
    product = product_create()
    certification_create(product=product, stars=4, number="OCOP-OK")
    certification_create(
        product=product,
        kind=CertificationKind.VIETGAP,
        number="VG-OLD",
        valid_until=TODAY - dt.timedelta(days=3),
    )
    certification_create(
        product=product, stars=5, number="OCOP-WAIT", status=ReviewStatus.PENDING
    )
    certification_create(
        product=product, stars=5, number="OCOP-NO", status=ReviewStatus.REJECTED
    )

    badges = selectors.product_badges(product=product)

    assert [(b.number, b.label, b.expired) for b in badges] == [
        ("OCOP-OK", "OCOP 4 sao", False),
        ("VG-OLD", "VietGAP (hết hạn)", True),
    ]


def test_product_certificate_prefers_a_valid_one_over_an_expired_one():
    product = product_create()
    certification_create(
        product=product, stars=5, number="OLD", valid_until=TODAY - dt.timedelta(days=1)
    )
    certification_create(product=product, stars=3, number="NEW")

    cert, valid = selectors.product_certificate(
        product=product, kind=CertificationKind.OCOP
    )

    assert (cert.number, valid) == ("NEW", True)
