"""Tourism products sold by slot, over checkout's catalogue builders."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from market.checkout.services import LineRequest, order_mark_paid, order_place
from market.models import OcopCategory, ProductPage
from market.payments.models import Payment
from market.tickets.models import TimeSlot
from tests.checkout.factories import variant_create


def tour_create(seller, *, title="Đi thuyền thúng rừng dừa", price_vnd=150_000):
    """A tourism product (OCOP "dịch vụ du lịch") with one ticket variant."""
    variant = variant_create(
        seller, title=title, label="Người lớn", price_vnd=price_vnd, on_hand=0
    )
    ProductPage.objects.filter(pk=variant.product_id).update(
        category=OcopCategory.TOURISM, unit="vé"
    )
    variant.product.refresh_from_db()
    return variant


def slot_create(variant, *, capacity=10, in_hours=24, minutes=90) -> TimeSlot:
    starts = timezone.now() + dt.timedelta(hours=in_hours)
    return TimeSlot.objects.create(
        variant=variant,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        capacity=capacity,
    )


def tickets_order(slot, *, customer, address, quantity=1, extra=(), method="vietqr"):
    return order_place(
        cart_lines=[LineRequest(slot.variant_id, quantity, slot.pk), *extra],
        customer=customer,
        address=address,
        payment_method=method,
    )


def pay(order):
    """Paid as a verified bank transfer would record it (VietQR)."""
    Payment.objects.create(
        order=order,
        provider="vietqr",
        amount_vnd=order.total_vnd,
        status="succeeded",
        idempotency_key=f"test-{order.number}",
    )
    return order_mark_paid(order=order, paid_at=timezone.now())
