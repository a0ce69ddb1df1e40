"""How much stock unpaid orders may hold, so nobody can lock a product up.

Placing an order holds stock before any money moves. These rules bound what
one unpaid order, and one client's unpaid orders together, may hold; the
client is a keyed hash of the account, else of the client address (the
address as the configured proxies report it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import defaultdict

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from market.checkout.models import Order, OrderLine, OrderStatus
from market.models import Variant

from .errors import HoldLimitReached


def client_key_make(*, user=None, address: str = "") -> str:
    """The key an order is counted under: the account when signed in, else
    the client address. A keyed hash, so the stored value names nobody."""
    if user is not None and user.is_authenticated:
        subject = f"user:{user.pk}"
    elif address:
        subject = f"addr:{address}"
    else:
        return ""
    return hmac.new(
        settings.SECRET_KEY.encode(), subject.encode(), hashlib.sha256
    ).hexdigest()


def hold_minutes(*, user=None) -> int:
    """How long a new order holds its stock: shorter for an anonymous order,
    until its payment starts (`order_payment_started`)."""
    if user is not None and user.is_authenticated:
        return settings.ORDER_HOLD_MINUTES
    return min(settings.ORDER_HOLD_MINUTES_ANONYMOUS, settings.ORDER_HOLD_MINUTES)


def _name(variant: Variant) -> str:
    return f"{variant.product.title} ({variant.label})"


def hold_limits_check(
    *, wanted: dict[int, int], variants: dict[int, Variant], client_key: str
) -> None:
    """Refuse an order that would hold too much; call it under the stock locks.

    After it returns: no line asks for more than ORDER_MAX_UNITS_PER_VARIANT;
    with a client key, the client has fewer than ORDER_MAX_OPEN_PER_CLIENT
    unpaid orders still holding stock, and its unpaid orders with this one
    hold at most ORDER_MAX_UNITS_PER_VARIANT units of each variant. Raises
    HoldLimitReached with what the shopper can do.
    """
    limit = settings.ORDER_MAX_UNITS_PER_VARIANT
    for variant_id, quantity in sorted(wanted.items()):
        if quantity > limit and variant_id in variants:
            variant = variants[variant_id]
            raise HoldLimitReached(
                _(
                    "%(name)s: mỗi đơn đặt được tối đa %(limit)s %(unit)s."
                    " Hãy giảm số lượng; cần nhiều hơn, hãy liên hệ người bán."
                )
                % {"name": _name(variant), "limit": limit, "unit": variant.product.unit}
            )
    if not client_key:
        return
    open_orders = Order.objects.filter(
        client_key=client_key,
        status=OrderStatus.PENDING_PAYMENT,
        hold_until__gte=timezone.now(),
    )
    if open_orders.count() >= settings.ORDER_MAX_OPEN_PER_CLIENT:
        raise HoldLimitReached(
            _(
                "Bạn đang có %(count)s đơn chưa thanh toán. Hãy thanh toán các đơn"
                " đó trước, hoặc đợi chúng tự hủy khi hết giờ giữ hàng, rồi đặt lại."
            )
            % {"count": open_orders.count()}
        )
    _check_client_units(wanted, variants, open_orders, limit)


def _check_client_units(wanted, variants, open_orders, limit) -> None:
    held: dict[int, int] = defaultdict(int)
    rows = (
        OrderLine.objects.filter(order__in=open_orders, variant_id__in=wanted)
        .values("variant_id")
        .annotate(units=Sum("quantity"))
    )
    for row in rows:
        held[row["variant_id"]] = row["units"]
    for variant_id, quantity in sorted(wanted.items()):
        if held[variant_id] + quantity > limit and variant_id in variants:
            variant = variants[variant_id]
            raise HoldLimitReached(
                _(
                    "%(name)s: bạn đã giữ %(held)s %(unit)s trong đơn chưa thanh"
                    " toán; mỗi người giữ được tối đa %(limit)s %(unit)s. Hãy thanh"
                    " toán đơn đó trước, hoặc đặt ít hơn."
                )
                % {
                    "name": _name(variant),
                    "held": held[variant_id],
                    "unit": variant.product.unit,
                    "limit": limit,
                }
            )


def hold_until_started(*, order: Order) -> dt.datetime:
    """The hold an order gets once its payment started: ORDER_HOLD_MINUTES
    from placement, so starting again never holds the stock longer."""
    return order.created_at + dt.timedelta(minutes=settings.ORDER_HOLD_MINUTES)
