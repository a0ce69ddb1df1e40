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
from .slots import slot_free_places, slot_upcoming, variant_sold_by_slot


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


def _line_available(variant: Variant, slot_id: int | None) -> int:
    """Units a cart line may hold: free places of its slot for a ticket,
    else stock on hand and not held."""
    if not variant_sold_by_slot(variant):
        return variant_available(variant)
    if slot_id is None:
        raise CartError(_("Hãy chọn ngày và giờ tham quan trước khi thêm vé."))
    slot = slot_upcoming(slot_id=slot_id, variant_id=variant.pk)
    if slot is None:
        raise CartError(
            _("Khung giờ này đã bắt đầu hoặc không còn bán. Hãy chọn khung giờ khác.")
        )
    return slot_free_places(slot=slot)


def _check(variant: Variant, quantity: int, slot_id: int | None = None) -> None:
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
    available = _line_available(variant, slot_id)
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


def cart_add(
    *, cart: Cart, variant_id: int, quantity: int = 1, slot_id: int | None = None
) -> Variant:
    """Add units of a variant to the cart.

    After it returns the cart never holds more of a variant than is on hand
    and not held by orders, nor more than `line_quantity_limit()`; otherwise
    CartError says what to do and the cart is unchanged. A tourism ticket
    needs `slot_id`, an upcoming slot of that variant, and is limited by its
    free places; choosing another slot replaces the line's slot.
    """
    if quantity < 1:
        raise CartError(_("Hãy chọn số lượng từ 1 trở lên."))
    variant = _sellable(variant_id)
    same_slot = slot_id is None or cart.slot(variant.pk) in (None, slot_id)
    wanted = (cart.quantity(variant.pk) if same_slot else 0) + quantity
    _check(variant, wanted, slot_id if slot_id is not None else cart.slot(variant.pk))
    cart.set(variant.pk, wanted, slot_id=slot_id)
    _keep_for_user(cart)
    return variant


def cart_set_quantity(*, cart: Cart, variant_id: int, quantity: int) -> None:
    """Set a line's quantity; 0 removes it. Same limits as `cart_add`."""
    if quantity <= 0:
        cart.set(variant_id, 0)
        _keep_for_user(cart)
        return
    variant = _sellable(variant_id)
    _check(variant, quantity, cart.slot(variant.pk))
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
    for variant in variants.select_related("product"):
        try:
            available = _line_available(variant, cart.slot(variant.pk))
        except CartError:
            available = 0  # a ticket whose slot is gone (or was never chosen)
        quantity = min(merged[variant.pk], available, line_quantity_limit())
        if quantity > 0:
            capped[variant.pk] = quantity
    cart.lines = capped
    cart.save()
    cart_save_for_user(user=user, lines=capped)
