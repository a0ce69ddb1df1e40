"""Cart rules: only sellable products, never more than is available, and a
signed-in shopper's cart kept in `SavedCart` after every change."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from market.checkout.cart import Cart
from market.checkout.models import SavedCart
from market.models import Variant

from .errors import CartError, Shortage


def _sellable(variant_id: int) -> Variant:
    variant = (
        Variant.objects.select_related("product", "stock")
        .filter(
            pk=variant_id,
            is_active=True,
            product__live=True,
            product__seller__is_active=True,
        )
        .first()
    )
    if variant is None:
        raise CartError(_("Sản phẩm này không còn bán. Hãy chọn sản phẩm khác."))
    return variant


def variant_available(variant: Variant) -> int:
    """Units on hand and not held by orders (0 without a stock row)."""
    stock = getattr(variant, "stock", None)
    return max(stock.available, 0) if stock is not None else 0


def line_quantity_limit() -> int:
    """The most units of one variant a cart line (and one order) may have:
    the product page, the cart form and the order all use this one number."""
    return settings.ORDER_MAX_UNITS_PER_VARIANT


def _check(variant: Variant, quantity: int) -> None:
    limit = line_quantity_limit()
    if quantity > limit:
        raise CartError(
            _(
                "%(name)s: mỗi đơn đặt được tối đa %(limit)s %(unit)s. Hãy giảm"
                " số lượng; cần nhiều hơn, hãy liên hệ người bán."
            )
            % {
                "name": f"{variant.product.title} ({variant.label})",
                "limit": limit,
                "unit": variant.product.unit,
            }
        )
    available = variant_available(variant)
    if quantity > available:
        raise CartError(
            Shortage(
                variant_id=variant.pk,
                sku=variant.sku,
                product_title=variant.product.title,
                variant_label=variant.label,
                unit=variant.product.unit,
                requested=quantity,
                available=available,
            ).message
        )


def cart_add(*, cart: Cart, variant_id: int, quantity: int = 1) -> Variant:
    """Add units of a variant to the cart.

    After it returns the cart never holds more of a variant than is on hand
    and not held by orders, nor more than `line_quantity_limit()`; otherwise
    CartError says what to do and the cart is unchanged.
    """
    if quantity < 1:
        raise CartError(_("Hãy chọn số lượng từ 1 trở lên."))
    variant = _sellable(variant_id)
    wanted = cart.quantity(variant.pk) + quantity
    _check(variant, wanted)
    cart.set(variant.pk, wanted)
    _keep_for_user(cart)
    return variant


def cart_set_quantity(*, cart: Cart, variant_id: int, quantity: int) -> None:
    """Set a line's quantity; 0 removes it. Same stock limit as `cart_add`."""
    if quantity <= 0:
        cart.set(variant_id, 0)
        _keep_for_user(cart)
        return
    variant = _sellable(variant_id)
    _check(variant, quantity)
    cart.set(variant.pk, quantity)
    _keep_for_user(cart)


def cart_clear(*, cart: Cart) -> None:
    """Empty the cart (the order was placed), the saved copy too."""
    cart.clear()
    _keep_for_user(cart)


def cart_save_for_user(*, user, lines: dict[int, int]) -> None:
    """Keep a signed-in shopper's cart for their next login."""
    SavedCart.objects.update_or_create(
        user=user, defaults={"lines": {str(k): v for k, v in lines.items()}}
    )


def _keep_for_user(cart: Cart) -> None:
    if cart.user is not None:
        cart_save_for_user(user=cart.user, lines=cart.lines)


@transaction.atomic
def cart_merge_on_login(*, cart: Cart, user) -> None:
    """Merge the cart saved for `user` into the session cart at login.

    For each variant the larger quantity wins (adding them would double a
    cart the shopper already put together on another device), capped at
    what is available; unsellable variants are dropped. Both copies then
    hold the merged cart.
    """
    saved = SavedCart.objects.select_for_update().filter(user=user).first()
    merged = dict(cart.lines)
    for key, quantity in (saved.lines if saved else {}).items():
        try:
            variant_id, quantity = int(key), int(quantity)
        except (TypeError, ValueError):
            continue
        merged[variant_id] = max(merged.get(variant_id, 0), quantity)
    variants = Variant.objects.select_related("stock").filter(
        pk__in=merged,
        is_active=True,
        product__live=True,
        product__seller__is_active=True,
    )
    capped = {}
    for variant in variants:
        quantity = min(
            merged[variant.pk], variant_available(variant), line_quantity_limit()
        )
        if quantity > 0:
            capped[variant.pk] = quantity
    cart.lines = capped
    cart.save()
    cart_save_for_user(user=user, lines=capped)
