"""Reads for the payment pages: who may see an order, and what to show."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404

from market.payments.models import Payment, PaymentStatus
from market.payments.services.instructions import order_url, vietqr_details


def order_for_request(*, number: str, token: str, user=None):
    """The order the secret link (or the owner's login) opens; 404 otherwise.

    A wrong token and a missing order look the same, so order numbers
    cannot be probed.
    """
    from market.checkout.models import Order

    order = Order.objects.filter(number=number.upper()).first()
    if order is not None:
        if token and hmac.compare_digest(token.encode(), order.access_token.encode()):
            return order
        if user is not None and user.is_authenticated and order.user_id == user.pk:
            return order
    raise Http404


def payment_latest(*, order) -> Payment | None:
    return order.payments.order_by("-created_at", "-pk").first()


def payment_context(*, order) -> dict:
    """Template context of the payment block (`payments/order_payment.html`).

    Makes no gateway call: the card form asks for its SetupIntent only when
    the shopper presses the button.
    """
    latest = payment_latest(order=order)
    context = {
        "order": order,
        "payable": order.status == "pending_payment",
        "latest_payment": latest,
        # Only a confirmed charge waits for the bank; an abandoned 3-D Secure
        # check (requires_action) must leave the card form usable.
        "waiting_for_bank": latest is not None
        and latest.status == PaymentStatus.PROCESSING,
        "status_url": order_url("status", order, absolute=False),
    }
    if order.payment_method == "vietqr":
        context["vietqr"] = vietqr_details(order, absolute=False)
    else:
        context["card"] = {
            "js_url": settings.PAYMENT_GATEWAY_JS_URL,
            "publishable_key": settings.PAYMENT_GATEWAY_PUBLISHABLE_KEY,
            "setup_url": order_url("card_setup", order, absolute=False),
            "pay_url": order_url("card_pay", order, absolute=False),
            "test_mode": card_test_mode(),
        }
    return context


def card_test_mode() -> bool:
    """True when no real card can be charged: a test key (Stripe's `pk_test_`
    convention) or the local gateway. Then the card form lists the test cards."""
    host = urlsplit(settings.PAYMENT_GATEWAY_URL).hostname or ""
    return settings.PAYMENT_GATEWAY_PUBLISHABLE_KEY.startswith("pk_test_") or host in {
        "127.0.0.1",
        "localhost",
        "::1",
    }
