"""What a shopper (or an API client) needs to pay an order."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from market.checkout.models import OrderStatus, PaymentMethod
from market.payments import gateway, vietqr
from market.payments.services.cards import card_setup_start


def order_url(name: str, order, *, absolute: bool = True) -> str:
    """URL of one of this app's order views, with the order secret; absolute
    (SITE_URL) for API clients, a path for our own pages."""
    path = reverse(f"payments:{name}", kwargs={"number": order.number})
    url = f"{path}?{urlencode({'t': order.access_token})}"
    return f"{settings.SITE_URL}{url}" if absolute else url


def vietqr_payload(order) -> str:
    """The per-order VietQR: the total and the order number as the purpose."""
    return vietqr.build_payload(
        bank_bin=settings.VIETQR_BANK_BIN,
        account=settings.VIETQR_ACCOUNT_NUMBER,
        amount_vnd=order.total_vnd,
        purpose=order.number,
    )


def vietqr_details(order, *, absolute: bool = True) -> dict:
    return {
        "method": PaymentMethod.VIETQR.value,
        "payload": vietqr_payload(order),
        "image_url": order_url("vietqr_image", order, absolute=absolute),
        "bank_bin": settings.VIETQR_BANK_BIN,
        "bank_name": settings.VIETQR_BANK_NAME,
        "account_number": settings.VIETQR_ACCOUNT_NUMBER,
        "account_name": settings.VIETQR_ACCOUNT_NAME,
        "amount_vnd": order.total_vnd,
        "amount_in_words": vietqr.amount_in_words(order.total_vnd),
        "transfer_content": order.number,
    }


def payment_instructions(*, order, client: gateway.GatewayClient | None = None) -> dict:
    """How to pay `order`, as plain data for the orders API.

    VietQR: the payload, a token-protected image URL, the account and the
    transfer content. Card: the gateway's publishable key and JavaScript URL,
    a SetupIntent `client_secret` for `confirmCardSetup`, and the URL to POST
    the saved `payment_method` to. Call it after the order is committed (it
    may call the gateway). When the gateway cannot be reached the card
    answer has no `client_secret`; `setup_url` gives a fresh one later.
    """
    base = {
        "method": order.payment_method,
        "payable": order.status == OrderStatus.PENDING_PAYMENT,
    }
    if not base["payable"]:
        return base
    if order.payment_method != PaymentMethod.CARD:
        return {**base, **vietqr_details(order)}
    card = {
        **base,
        "publishable_key": settings.PAYMENT_GATEWAY_PUBLISHABLE_KEY,
        "js_url": settings.PAYMENT_GATEWAY_JS_URL,
        "setup_url": order_url("card_setup", order),
        "pay_url": order_url("card_pay", order),
        "status_url": order_url("status", order),
        "client_secret": None,
    }
    try:
        card["client_secret"] = card_setup_start(
            order=order, client=client
        ).client_secret
    except gateway.GatewayError:
        pass
    return card
