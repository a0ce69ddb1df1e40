"""Orders for payment tests, made directly on the model (no catalogue needed)."""

from __future__ import annotations

import factory

from market.checkout.models import Order
from market.checkout.services.numbers import (
    access_token_generate,
    order_number_generate,
)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.LazyFunction(order_number_generate)
    access_token = factory.LazyFunction(access_token_generate)
    customer_name = "Trần Thị Mai"
    phone = "0912345678"
    email = "mai@example.vn"
    province_code = 1
    address_line = "12 Phố Huế"
    payment_method = "card"
    subtotal_vnd = 120_000
    shipping_vnd = 30_000
    total_vnd = factory.LazyAttribute(lambda o: o.subtotal_vnd + o.shipping_vnd)
