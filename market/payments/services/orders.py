"""The seam to checkout: the only place payments asks for an order change.

Checkout owns order status; payments tells it "this order is paid" or "this
much was refunded" through checkout's services. Imported lazily because the
checkout API in turn asks this app for payment instructions.
"""

from __future__ import annotations

from datetime import datetime

PENDING = "pending_payment"


def order_lock(*, order_pk: int):
    """The order row, locked until the end of the current transaction."""
    from market.checkout.models import Order

    return Order.objects.select_for_update().get(pk=order_pk)


def order_is_payable(order) -> bool:
    return order.status == PENDING


def order_mark_paid(*, order, paid_at: datetime, note: str = "") -> None:
    from market.checkout.services import order_mark_paid as mark_paid

    mark_paid(order=order, paid_at=paid_at, note=note)


def order_hold_extend(*, order_pk: int) -> bool:
    """Hold the order's stock for a fresh ORDER_HOLD_MINUTES: a card payment
    is with the bank."""
    from django.conf import settings

    from market.checkout.services import order_hold_extend as hold_extend

    return hold_extend(order_pk=order_pk, minutes=settings.ORDER_HOLD_MINUTES)


def order_record_refund(*, order, amount_vnd: int, actor=None, note: str = "") -> None:
    from market.checkout.services import order_record_refund as record_refund

    record_refund(order=order, amount_vnd=amount_vnd, actor=actor, note=note)


def orders_by_number(numbers: list[str]) -> list:
    from market.checkout.models import Order

    return list(Order.objects.filter(number__in=numbers).order_by("pk"))
