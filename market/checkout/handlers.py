"""Receivers of Django's own signals (the cart follows the shopper on login)."""

from __future__ import annotations

from market.checkout.cart import Cart
from market.checkout.services.cart import cart_merge_on_login


def merge_cart_on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    cart_merge_on_login(cart=Cart(request), user=user)
