"""Read-side queries of checkout: cart summaries, orders, seller shipments."""

from __future__ import annotations

import hmac
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from market.access import user_seller_ids
from market.checkout.cart import Cart
from market.checkout.models import Order, OrderLine, Shipment
from market.checkout.services.cart import variant_available
from market.checkout.services.errors import CheckoutError, Shortage
from market.checkout.services.shipping import shipment_quote, tariffs_all
from market.checkout.services.slots import slot_free_places, variant_sold_by_slot
from market.models import Seller, Variant
from market.tickets.models import Ticket, TimeSlot


@dataclass
class CartLineView:
    variant: Variant
    quantity: int
    available: int
    # A tourism ticket line: its dated slot (None until one is chosen).
    ticket: bool = False
    slot: TimeSlot | None = None

    @property
    def unit_price_vnd(self) -> int:
        return self.variant.price_vnd

    @property
    def total_vnd(self) -> int:
        return self.variant.price_vnd * self.quantity

    @property
    def weight_g(self) -> int:
        return 0 if self.ticket else self.variant.weight_g * self.quantity

    @property
    def problem(self) -> str:
        if self.quantity <= self.available:
            return ""
        if self.ticket and self.slot is None:
            return _(
                "%(name)s: khung giờ đã chọn không còn bán. Hãy bỏ vé này khỏi giỏ"
                " rồi chọn khung giờ khác trên trang sản phẩm."
            ) % {"name": self.variant.product.title}
        return Shortage(
            variant_id=self.variant.pk,
            sku=self.variant.sku,
            product_title=self.variant.product.title,
            variant_label=self.variant.label,
            unit=self.variant.product.unit,
            requested=self.quantity,
            available=self.available,
        ).message


@dataclass
class SellerGroup:
    seller: Seller
    lines: list[CartLineView] = field(default_factory=list)
    zone: str = ""
    shipping_vnd: int | None = None
    shipping_error: str = ""

    @property
    def subtotal_vnd(self) -> int:
        return sum(line.total_vnd for line in self.lines)

    @property
    def weight_g(self) -> int:
        return sum(line.weight_g for line in self.lines)


@dataclass
class CartSummary:
    groups: list[SellerGroup]
    province_code: int | None = None

    @property
    def lines(self) -> list[CartLineView]:
        return [line for group in self.groups for line in group.lines]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal_vnd(self) -> int:
        return sum(group.subtotal_vnd for group in self.groups)

    @property
    def shipping_vnd(self) -> int | None:
        fees = [group.shipping_vnd for group in self.groups]
        if not fees or any(fee is None for fee in fees):
            return None
        return sum(fees)

    @property
    def total_vnd(self) -> int | None:
        shipping = self.shipping_vnd
        return None if shipping is None else self.subtotal_vnd + shipping

    @property
    def problems(self) -> list[str]:
        messages = [line.problem for line in self.lines if line.problem]
        return messages + [g.shipping_error for g in self.groups if g.shipping_error]

    @property
    def can_order(self) -> bool:
        return bool(self.groups) and not self.problems


def cart_summary(*, cart: Cart, province_code: int | None = None) -> CartSummary:
    """The cart's sellable lines grouped per seller, with fresh prices and stock,
    and each seller's shipping fee when the destination province is known.

    Lines of products no longer sold are left out (the shopper sees them gone).
    """
    variants = (
        Variant.objects.select_related("product", "product__seller", "stock")
        .filter(
            pk__in=cart.lines,
            is_active=True,
            product__live=True,
            product__seller__is_active=True,
        )
        .order_by("product__seller__legal_name", "product__title", "pk")
    )
    slots = {
        slot.variant_id: slot
        for slot in TimeSlot.objects.filter(pk__in=list(cart.slots.values()))
        if cart.slot(slot.variant_id) == slot.pk
    }
    groups: OrderedDict[int, SellerGroup] = OrderedDict()
    for variant in variants:
        seller = variant.product.seller
        group = groups.setdefault(seller.pk, SellerGroup(seller=seller))
        ticket = variant_sold_by_slot(variant)
        slot = slots.get(variant.pk) if ticket else None
        if slot is not None and slot.starts_at <= timezone.now():
            slot = None
        free = slot_free_places(slot=slot) if ticket else variant_available(variant)
        group.lines.append(
            CartLineView(
                variant=variant,
                quantity=cart.lines[variant.pk],
                available=free,
                ticket=ticket,
                slot=slot,
            )
        )
    if province_code:
        _quote_groups(list(groups.values()), province_code)
    return CartSummary(groups=list(groups.values()), province_code=province_code)


def _quote_groups(groups: list[SellerGroup], province_code: int) -> None:
    tariffs = tariffs_all()
    for group in groups:
        try:
            group.zone, group.shipping_vnd = shipment_quote(
                from_province=group.seller.province_code,
                to_province=province_code,
                weight_g=group.weight_g,
                tariffs=tariffs,
            )
            if all(line.ticket for line in group.lines):
                group.shipping_vnd = 0  # tickets only: nothing to deliver
        except CheckoutError as error:
            group.shipping_error = str(error)


def order_url(order: Order, *, absolute: bool = False) -> str:
    """The shopper's secret link to their order (works without an account)."""
    path = reverse("checkout:order", args=[order.number]) + f"?t={order.access_token}"
    return f"{settings.SITE_URL}{path}" if absolute else path


def order_with_details(*, number: str) -> Order | None:
    """An order with its shipments, lines (with a ticket line's tickets and
    slot) and events, in a few queries."""
    tickets = Ticket.objects.select_related("slot").order_by("pk")
    lines = OrderLine.objects.order_by("pk").prefetch_related(
        Prefetch("tickets", queryset=tickets)
    )
    shipments = Shipment.objects.select_related("seller").prefetch_related(
        Prefetch("lines", queryset=lines)
    )
    return (
        Order.objects.filter(number=number)
        .prefetch_related(
            Prefetch("shipments", queryset=shipments.order_by("pk")), "events"
        )
        .first()
    )


def order_for_viewer(*, number: str, token: str | None, user) -> Order | None:
    """The order if `token` is its secret (constant-time compare) or `user`
    placed it; None otherwise, so callers answer 404 either way."""
    order = order_with_details(number=number)
    if order is None:
        return None
    if token and hmac.compare_digest(token.encode(), order.access_token.encode()):
        return order
    if user is not None and user.is_authenticated and order.user_id == user.pk:
        return order
    return None


def shipments_for_user(*, user) -> QuerySet[Shipment]:
    """Shipments a staff user may see: all for the operator, their own
    sellers' for seller staff, none for anyone else (`market.access`)."""
    shipments = Shipment.objects.select_related("order", "seller")
    seller_ids = user_seller_ids(user)
    if seller_ids is None:
        return shipments
    return shipments.filter(seller_id__in=seller_ids)
