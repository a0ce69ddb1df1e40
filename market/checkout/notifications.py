"""Plain-text Vietnamese e-mails to the shopper about their order."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from market.checkout.models import Order, OrderStatus, Shipment
from market.checkout.selectors import order_url

logger = logging.getLogger(__name__)

SUBJECTS = {
    "placed": "Nguồn Quê: đã nhận đơn %(number)s",
    "paid": "Nguồn Quê: đơn %(number)s đã thanh toán",
    "shipped": "Nguồn Quê: đơn %(number)s đã gửi đi",
    "refunded": "Nguồn Quê: đã hoàn tiền đơn %(number)s",
}


def order_mail_send(
    *,
    order: Order,
    kind: str,
    shipment: Shipment | None = None,
    amount_vnd: int = 0,
    hold_until: dt.datetime | None = None,
) -> bool:
    """Send one order e-mail; returns False (and logs) if it could not go.

    The "placed" e-mail names the time the stock is held until while the
    order still waits for payment (`hold_until`: the hold at placing, else
    the order's), and says it is paid when payment came first."""
    if not order.email or kind not in SUBJECTS:
        return False
    waiting = order.status == OrderStatus.PENDING_PAYMENT
    hold_until = (hold_until or order.hold_until) if waiting else None
    with translation.override("vi"):
        subject = _(SUBJECTS[kind]) % {"number": order.number}
        body = render_to_string(
            f"checkout/email/{kind}.txt",
            {
                "order": order,
                "shipment": shipment,
                "amount_vnd": amount_vnd,
                "hold_until": hold_until,
                "is_paid": order.paid_at is not None,
                "link": order_url(order, absolute=True),
            },
        )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.email])
    except OSError:
        logger.exception("Order mail %s for %s could not be sent", kind, order.number)
        return False
    return True
