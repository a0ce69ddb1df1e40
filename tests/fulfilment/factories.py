"""Factories for fulfilment tests: partners, paid orders with one shipment
per seller (rows built directly: the shape checkout's `order_place` makes)."""

from __future__ import annotations

import secrets

import factory
from django.test import TestCase
from django.utils import timezone

from market import places
from market.checkout.models import Order, ShippingTariff
from market.checkout.services import (
    Customer,
    LineRequest,
    ShippingAddress,
    order_mark_paid,
    order_place,
)
from market.fulfilment.models import Partner, PartnerArea, WebhookEndpoint
from market.models import Stock
from tests.factories import UserFactory
from tests.traceability.factories import SellerFactory, VariantFactory

HA_NOI = 1


def ward_of(province_code: int, index: int = 0) -> int:
    return places.wards(province_code)[index][0]


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Bưu cục số {n}")
    code = factory.Sequence(lambda n: f"bc{n}")
    province_code = HA_NOI
    phone = "02433334444"

    @factory.post_generation
    def staff(self, create, extracted, **kwargs):
        if create and extracted:
            self.staff.add(*extracted)


class PartnerAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerArea

    partner = factory.SubFactory(PartnerFactory)
    province_code = HA_NOI
    ward_code = None


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    partner = factory.SubFactory(PartnerFactory)
    url = "http://127.0.0.1:9/hook"
    secret = factory.LazyFunction(lambda: secrets.token_hex(16))


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"NQ{260000 + n}")
    access_token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    customer_name = "Trần Thị Mai"
    phone = "0987654321"
    email = "mai@example.vn"
    payment_method = "card"
    status = "paid"
    subtotal_vnd = 0
    shipping_vnd = 0
    total_vnd = 0
    province_code = HA_NOI
    ward_code = factory.LazyFunction(lambda: ward_of(HA_NOI, 3))
    address_line = "12 ngõ 5 phố Huế"


def tariffs_ensure() -> None:
    # One flat bracket per zone in place of the defaults `migrate` gives.
    ShippingTariff.objects.exclude(max_weight_g=30_000).delete()
    for zone in ("same", "neighbour", "other"):
        ShippingTariff.objects.get_or_create(
            zone=zone, max_weight_g=30_000, defaults={"fee_vnd": 30_000}
        )


def order_with_shipments(*, sellers, quantity=2, price=150_000, pay=True):
    """An order placed through checkout's `order_place` with one line per
    seller (each line's variant belongs to that seller), then paid through
    `order_mark_paid` unless `pay` is False."""
    tariffs_ensure()
    lines = []
    for seller in sellers:
        variant = VariantFactory(product__seller=seller, price_vnd=price, weight_g=600)
        Stock.objects.update_or_create(variant=variant, defaults={"on_hand": 50})
        lines.append(LineRequest(variant_id=variant.pk, quantity=quantity))
    order = order_place(
        cart_lines=lines,
        customer=Customer(
            name="Trần Thị Mai", phone="0987654321", email="mai@example.vn"
        ),
        address=ShippingAddress(
            province_code=HA_NOI, ward_code=ward_of(HA_NOI, 3), line="12 ngõ 5 phố Huế"
        ),
        payment_method="card",
    )
    if pay:
        # Checkout announces the payment after commit; run those callbacks
        # as a real commit would (tests run inside one transaction).
        with TestCase.captureOnCommitCallbacks(execute=True):
            order = order_mark_paid(order=order, paid_at=timezone.now())
    return order


__all__ = [
    "HA_NOI",
    "OrderFactory",
    "PartnerAreaFactory",
    "PartnerFactory",
    "SellerFactory",
    "UserFactory",
    "WebhookEndpointFactory",
    "order_with_shipments",
    "ward_of",
]
