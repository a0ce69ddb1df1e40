"""Order use cases: place, pay, cancel, expire, refund, status moves.

Locks are always taken in the same order — order row, then its shipments,
then stock rows in primary-key order — so use cases running at the same
time wait for each other instead of deadlocking. Mail and signals go out
from `transaction.on_commit`, so nobody hears of a change that rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market import places, signals
from market.checkout.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    Shipment,
    ShipmentStatus,
)
from market.identifiers import phone_normalize
from market.models import Seller, Stock, Variant
from market.tickets.models import TicketStatus

from .errors import (
    InvalidOrder,
    InvalidTransition,
    OrderNotPayable,
    OutOfStock,
    RefundTooLarge,
    Shortage,
)
from .holds import hold_limits_check, hold_minutes, hold_until_started
from .mail import order_mail_on_commit
from .numbers import access_token_generate, order_number_generate
from .shipping import shipment_quote, tariffs_all
from .slots import (
    slot_free_places,
    slots_book,
    slots_lock,
    tickets_release,
    tickets_validate,
    variant_sold_by_slot,
)
from .stock import (
    line_units,
    refresh_products_on_commit,
    stock_allocate,
    stock_lock,
    stock_release,
    variant_product_ids,
)
from .transitions import order_event_record, order_move, shipment_move


@dataclass(frozen=True)
class LineRequest:
    variant_id: int
    quantity: int
    # The dated slot of a tourism ticket (`slots.variant_sold_by_slot`).
    slot_id: int | None = None


@dataclass(frozen=True)
class Customer:
    name: str
    phone: str
    email: str = ""


@dataclass(frozen=True)
class ShippingAddress:
    province_code: int
    ward_code: int
    line: str


@dataclass(frozen=True)
class _Buyer:
    """Who places the order, checked: the order row's own fields."""

    customer: Customer
    phone: str
    address: ShippingAddress
    payment_method: str
    user: object
    client_key: str


@dataclass(frozen=True)
class _SellerPart:
    """One seller's share of an order, priced: becomes one Shipment."""

    seller: Seller
    variants: list[Variant]
    # Variant id → the locked slot of a ticket line (tickets ship nothing).
    slots: dict
    weight_g: int
    subtotal_vnd: int
    zone: str
    shipping_vnd: int


# --- placing ------------------------------------------------------------------


def order_place(
    *,
    cart_lines: Iterable[LineRequest],
    customer: Customer,
    address: ShippingAddress,
    payment_method: str,
    user=None,
    client_key: str = "",
) -> Order:
    """Place an order: allocate its stock and split it into seller shipments.

    All or nothing, in one transaction: the variants' stock rows are locked in
    primary-key order, every line is checked against units on hand and not
    held by other orders, and only then allocated. After it returns the order
    is `pending_payment`, holds its stock until `hold_until`, has one shipment
    per seller with the tariff's fee, and lines carry the prices, names and
    weights of the moment. An anonymous order holds for the shorter
    ORDER_HOLD_MINUTES_ANONYMOUS until `order_payment_started`. No line, and
    none of the client's (`client_key`) unpaid orders together, holds more
    than `holds.hold_limits_check` allows. Raises `OutOfStock` (nothing
    allocated), `HoldLimitReached`, `InvalidOrder` or `ShippingUnavailable`.
    """
    cart_lines = list(cart_lines)
    wanted = _merge_lines(cart_lines)
    chosen = _chosen_slots(cart_lines)
    phone = _check_request(customer, address, payment_method)
    tariffs = tariffs_all()
    with transaction.atomic():
        stocks = stock_lock(variant_ids=wanted)
        variants = _sellable_variants(wanted)
        by_slot = {pk for pk, v in variants.items() if variant_sold_by_slot(v)}
        goods = {pk: n for pk, n in wanted.items() if pk not in by_slot}
        locked = slots_lock(slot_ids=[chosen[pk] for pk in by_slot if pk in chosen])
        slots = {
            pk: locked[chosen[pk]]
            for pk in by_slot
            if chosen.get(pk) in locked and locked[chosen[pk]].variant_id == pk
        }
        hold_limits_check(wanted=wanted, variants=variants, client_key=client_key)
        _check_available(goods, variants, stocks, by_slot, wanted, slots)
        try:
            stock_allocate(quantities=goods)
        except IntegrityError:
            # Only reachable if something bypassed the locks: same answer.
            raise OutOfStock(_shortages(goods, variants, stocks)) from None
        parts = _seller_parts(
            wanted=wanted,
            variants=variants,
            slots=slots,
            to_province=address.province_code,
            tariffs=tariffs,
        )
        buyer = _Buyer(
            customer=customer,
            phone=phone,
            address=address,
            payment_method=payment_method,
            user=user if user is not None and user.is_authenticated else None,
            client_key=client_key,
        )
        order = _order_create(buyer=buyer, parts=parts, wanted=wanted)
        order_event_record(
            order=order,
            from_status="",
            to_status=OrderStatus.PENDING_PAYMENT,
            actor=user,
            note=_("Đặt hàng"),
        )
        # Listings only change for products whose last free unit just went.
        refresh_products_on_commit(
            product_ids=[
                v.product_id
                for v in variants.values()
                if v.pk in goods and stocks[v.pk].available == wanted[v.pk]
            ]
        )
        # The hold is written into the e-mail as it is now: by the time the
        # task runs, payment may already have cleared it (issue #13 item 13).
        order_mail_on_commit(order, "placed", hold_until=order.hold_until.isoformat())
    return order


def _merge_lines(cart_lines: Iterable[LineRequest]) -> dict[int, int]:
    wanted: dict[int, int] = defaultdict(int)
    for line in cart_lines:
        if line.quantity < 1:
            raise InvalidOrder(_("Số lượng mỗi sản phẩm phải từ 1 trở lên."))
        wanted[line.variant_id] += line.quantity
    if not wanted:
        raise InvalidOrder(_("Giỏ hàng đang trống. Hãy chọn sản phẩm trước."))
    return dict(wanted)


def _chosen_slots(cart_lines: list[LineRequest]) -> dict[int, int]:
    chosen: dict[int, int] = {}
    for line in cart_lines:
        if line.slot_id is None:
            continue
        if chosen.setdefault(line.variant_id, line.slot_id) != line.slot_id:
            raise InvalidOrder(
                _("Mỗi đơn chỉ đặt một khung giờ cho mỗi loại vé. Hãy đặt đơn riêng.")
            )
    return chosen


def _check_request(customer: Customer, address: ShippingAddress, method: str) -> str:
    if method not in PaymentMethod.values:
        raise InvalidOrder(_("Hãy chọn thanh toán bằng thẻ hoặc VietQR."))
    if not customer.name.strip():
        raise InvalidOrder(_("Hãy ghi họ tên người nhận."))
    phone = phone_normalize(customer.phone)
    if not phone:
        raise InvalidOrder(
            _(
                "Số điện thoại chưa đúng. Hãy ghi số di động 10 chữ số,"
                " ví dụ 0912345678."
            )
        )
    if not places.province_name(address.province_code):
        raise InvalidOrder(_("Hãy chọn tỉnh / thành phố nhận hàng."))
    if not places.is_valid_ward(
        province_code=address.province_code, ward_code=address.ward_code
    ):
        raise InvalidOrder(_("Phường/xã không thuộc tỉnh đã chọn. Hãy chọn lại."))
    if not address.line.strip():
        raise InvalidOrder(_("Hãy ghi số nhà, thôn, đường để bưu tá tìm được bạn."))
    return phone


def _sellable_variants(wanted: dict[int, int]) -> dict[int, Variant]:
    rows = Variant.objects.select_related("product", "product__seller").filter(
        pk__in=wanted,
        is_active=True,
        product__live=True,
        product__seller__is_active=True,
    )
    return {v.pk: v for v in rows}


def _shortages(wanted, variants, stocks) -> list[Shortage]:
    shortages = []
    for variant_id, quantity in sorted(wanted.items()):
        variant = variants.get(variant_id)
        stock = stocks.get(variant_id)
        available = stock.available if (stock and variant) else 0
        if quantity > available:
            shortages.append(_shortage(variant_id, variant, quantity, available))
    return shortages


def _shortage(variant_id, variant, requested, available) -> Shortage:
    if variant is None:
        variant = (
            Variant.objects.select_related("product").filter(pk=variant_id).first()
        )
    return Shortage(
        variant_id=variant_id,
        sku=variant.sku if variant else "",
        product_title=variant.product.title if variant else _("Sản phẩm"),
        variant_label=variant.label if variant else "?",
        unit=variant.product.unit if variant else "",
        requested=requested,
        available=max(available, 0),
    )


def _check_available(goods, variants, stocks, by_slot, wanted, slots) -> None:
    shortages = _shortages(goods, variants, stocks)
    for variant_id in sorted(by_slot):
        free = slot_free_places(slot=slots.get(variant_id))
        if wanted[variant_id] > free:
            shortages.append(
                _shortage(variant_id, variants[variant_id], wanted[variant_id], free)
            )
    if shortages:
        raise OutOfStock(shortages)


def _seller_parts(
    *,
    wanted: dict[int, int],
    variants: dict[int, Variant],
    slots: dict,
    to_province: int,
    tariffs,
) -> list[_SellerPart]:
    """Group the lines by seller and price each group's parcel (tickets weigh
    nothing; a seller part of tickets only has no delivery fee)."""
    by_seller: dict[int, list[Variant]] = defaultdict(list)
    for variant_id in sorted(wanted):
        variant = variants[variant_id]
        by_seller[variant.product.seller_id].append(variant)
    parts = []
    for seller_variants in by_seller.values():
        seller = seller_variants[0].product.seller
        goods = [v for v in seller_variants if v.pk not in slots]
        weight = sum(v.weight_g * wanted[v.pk] for v in goods)
        zone, fee = shipment_quote(
            from_province=seller.province_code,
            to_province=to_province,
            weight_g=weight,
            tariffs=tariffs,
        )
        parts.append(
            _SellerPart(
                seller=seller,
                variants=seller_variants,
                slots={v.pk: slots[v.pk] for v in seller_variants if v.pk in slots},
                weight_g=weight,
                subtotal_vnd=sum(v.price_vnd * wanted[v.pk] for v in seller_variants),
                zone=zone,
                shipping_vnd=fee if goods else 0,
            )
        )
    return parts


def _order_create(
    *, buyer: _Buyer, parts: list[_SellerPart], wanted: dict[int, int]
) -> Order:
    subtotal = sum(part.subtotal_vnd for part in parts)
    shipping = sum(part.shipping_vnd for part in parts)
    order = Order.objects.create(
        number=_unused_number(),
        access_token=access_token_generate(),
        user=buyer.user,
        client_key=buyer.client_key,
        customer_name=buyer.customer.name.strip(),
        phone=buyer.phone,
        email=buyer.customer.email.strip(),
        payment_method=buyer.payment_method,
        province_code=buyer.address.province_code,
        ward_code=buyer.address.ward_code,
        address_line=buyer.address.line.strip(),
        subtotal_vnd=subtotal,
        shipping_vnd=shipping,
        total_vnd=subtotal + shipping,
        hold_until=timezone.now() + dt.timedelta(minutes=hold_minutes(user=buyer.user)),
    )
    lines = []
    for part in parts:
        shipment = Shipment.objects.create(
            order=order,
            seller=part.seller,
            zone=part.zone,
            weight_g=part.weight_g,
            subtotal_vnd=part.subtotal_vnd,
            shipping_vnd=part.shipping_vnd,
        )
        lines += [
            _line(order, shipment, v, wanted[v.pk], ticket=v.pk in part.slots)
            for v in part.variants
        ]
    OrderLine.objects.bulk_create(lines)
    slots_book(
        order=order,
        lines=lines,
        slots={pk: slot for part in parts for pk, slot in part.slots.items()},
    )
    return order


def _line(order, shipment, variant: Variant, quantity: int, *, ticket: bool):
    return OrderLine(
        order=order,
        shipment=shipment,
        variant=variant,
        sku=variant.sku,
        gtin=variant.gtin or "",
        product_title=variant.product.title,
        variant_label=variant.label,
        unit_price_vnd=variant.price_vnd,
        quantity=quantity,
        weight_g=0 if ticket else variant.weight_g,
    )


def _unused_number() -> str:
    # 32**6 numbers: a clash is rare; the unique index is the backstop.
    for _attempt in range(10):
        number = order_number_generate()
        if not Order.objects.filter(number=number).exists():
            return number
    raise RuntimeError("Could not find an unused order number.")


# --- status moves ---------------------------------------------------------------


def order_lock(*, order_pk: int) -> Order:
    """The order row, locked until the end of the caller's transaction."""
    return Order.objects.select_for_update().get(pk=order_pk)


def _lock(order: Order) -> Order:
    return order_lock(order_pk=order.pk)


def order_set_status(
    *, order: Order, to_status: str, actor=None, note: str = ""
) -> Order:
    """Move an order to `to_status` if ORDER_TRANSITIONS allows it.

    Moves with consequences go through their use case, so the consequence
    cannot be skipped: `paid` through `order_mark_paid`, `cancelled` through
    `order_cancel` (stock released). Refund statuses need an amount: use
    `order_record_refund`. Anything not in the table raises InvalidTransition.
    """
    if to_status == OrderStatus.PAID:
        return order_mark_paid(order=order, paid_at=timezone.now(), actor=actor)
    if to_status == OrderStatus.CANCELLED:
        return order_cancel(order=order, actor=actor, note=note)
    if to_status in (OrderStatus.REFUNDED, OrderStatus.PARTLY_REFUNDED):
        raise InvalidTransition(_("đơn hàng"), order.status, to_status)
    with transaction.atomic():
        order = _lock(order)
        order_move(order, to_status, actor=actor, note=note)
    return order


def order_mark_paid(
    *, order: Order, paid_at: dt.datetime, actor=None, note: str = ""
) -> Order:
    """Record that the whole order was paid (a verified gateway or bank event).

    Idempotent: a second call for a paid order changes nothing and sends
    nothing. After it returns the order is `paid`, no longer expires, and each
    seller's shipment is `to_pack`; `market.signals.order_paid` and the
    shopper's e-mail go out on commit. Raises `OrderNotPayable` if the order
    was cancelled (e.g. its hold expired) — the caller must refund.
    """
    with transaction.atomic():
        order = _lock(order)
        if order.paid_at is not None:
            return order
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise OrderNotPayable(
                _("Đơn %(number)s đã bị hủy, không thể nhận thanh toán.")
                % {"number": order.number}
            )
        order_move(order, OrderStatus.PAID, actor=actor, note=note)
        order.paid_at = paid_at
        order.hold_until = None
        order.save(update_fields=["paid_at", "hold_until", "updated_at"])
        for shipment in order.shipments.select_for_update().order_by("pk"):
            shipment_move(shipment, ShipmentStatus.TO_PACK, order=order)
        tickets_validate(order=order)
        transaction.on_commit(
            lambda: signals.order_paid.send(sender=Order, order=order)
        )
        order_mail_on_commit(order, "paid")
    return order


def order_cancel(*, order: Order, actor=None, note: str = "") -> Order:
    """Cancel an unpaid order and give its held stock back.

    Only `pending_payment` orders can be cancelled (a paid order is refunded
    instead). After it returns the order and its shipments are cancelled and
    no unit is held for it any more.
    """
    with transaction.atomic():
        order = _lock(order)
        order_move(order, OrderStatus.CANCELLED, actor=actor, note=note)
        shipments = list(order.shipments.select_for_update().order_by("pk"))
        held = line_units(order.lines.filter(tickets__isnull=True).distinct())
        stock_release(quantities=held)
        tickets_release(order=order)
        for shipment in shipments:
            shipment_move(shipment, ShipmentStatus.CANCELLED, order=order)
        refresh_products_on_commit(product_ids=variant_product_ids(held))
    return order


def order_hold_extend(*, order_pk: int, minutes: int) -> bool:
    """Keep an unpaid order's stock held for at least `minutes` from now (a
    card payment is with the bank: 3-D Secure, or waiting for its webhook),
    so the expiry job does not give the stock back under a paying shopper.
    Returns whether the hold moved; a cancelled or paid order is left alone.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_pk)
        if order.status != OrderStatus.PENDING_PAYMENT or order.hold_until is None:
            return False
        until = timezone.now() + dt.timedelta(minutes=minutes)
        if order.hold_until >= until:
            return False
        order.hold_until = until
        order.save(update_fields=["hold_until", "updated_at"])
        return True


def order_payment_started(*, order_pk: int) -> bool:
    """The shopper started to pay (opened the order page, tried a card): an
    anonymous order's short hold grows to ORDER_HOLD_MINUTES from placement.
    Measured from placement, so doing it again never holds the stock longer;
    a paid or cancelled order is left alone. Returns whether the hold moved.
    """
    with transaction.atomic():
        order = order_lock(order_pk=order_pk)
        if order.status != OrderStatus.PENDING_PAYMENT or order.hold_until is None:
            return False
        until = hold_until_started(order=order)
        if order.hold_until >= until:
            return False
        order.hold_until = until
        order.save(update_fields=["hold_until", "updated_at"])
        return True


def order_cancel_expired(*, now: dt.datetime | None = None) -> int:
    """Cancel every unpaid order whose hold has passed; return how many.

    Each order is cancelled in its own transaction and re-checked under its
    lock, so a payment recorded a moment earlier wins and is never undone.
    """
    now = now or timezone.now()
    candidates = Order.objects.filter(
        status=OrderStatus.PENDING_PAYMENT, hold_until__lt=now
    ).values_list("pk", flat=True)
    cancelled = 0
    for pk in list(candidates):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=pk)
            if order.status != OrderStatus.PENDING_PAYMENT or not (
                order.hold_until and order.hold_until < now
            ):
                continue
            order_cancel(
                order=order, note=_("Quá hạn thanh toán, đã trả lại hàng giữ chỗ.")
            )
            cancelled += 1
    return cancelled


def order_record_refund(
    *, order: Order, amount_vnd: int, actor=None, note: str = ""
) -> Order:
    """Book money given back to the shopper (the gateway or bank already did it).

    `refunded_vnd` grows by `amount_vnd` and never passes the total; the order
    becomes `refunded` when all is back, else `partly_refunded`. A full refund
    cancels the shipments not yet sent and releases their stock.
    `market.signals.order_refunded` and the shopper's e-mail go out on commit.
    """
    if amount_vnd <= 0:
        raise RefundTooLarge(_("Số tiền hoàn phải lớn hơn 0."))
    with transaction.atomic():
        order = _lock(order)
        if order.refunded_vnd + amount_vnd > order.total_vnd:
            raise RefundTooLarge(
                _("Chỉ còn %(left)s đồng có thể hoàn cho đơn này.")
                % {"left": order.total_vnd - order.refunded_vnd}
            )
        full = order.refunded_vnd + amount_vnd == order.total_vnd
        target = OrderStatus.REFUNDED if full else OrderStatus.PARTLY_REFUNDED
        order_move(order, target, actor=actor, note=note)
        order.refunded_vnd += amount_vnd
        order.save(update_fields=["refunded_vnd", "updated_at"])
        if full:
            _cancel_unsent_shipments(order)
        transaction.on_commit(
            lambda: signals.order_refunded.send(
                sender=Order, order=order, amount_vnd=amount_vnd
            )
        )
        order_mail_on_commit(order, "refunded", amount_vnd=amount_vnd)
    return order


def _cancel_unsent_shipments(order: Order) -> None:
    unsent = (
        ShipmentStatus.AWAITING_PAYMENT,
        ShipmentStatus.TO_PACK,
        ShipmentStatus.PACKED,
    )
    shipments = list(
        order.shipments.select_for_update().filter(status__in=unsent).order_by("pk")
    )
    held = line_units(
        OrderLine.objects.filter(shipment__in=shipments, tickets__isnull=True)
    )
    stock_release(quantities=held)
    # Places of slots still to come go back on sale; a started slot's are gone.
    tickets_release(order=order, to_status=TicketStatus.REFUNDED, upcoming_only=True)
    for shipment in shipments:
        shipment_move(shipment, ShipmentStatus.CANCELLED, order=order)
    refresh_products_on_commit(product_ids=variant_product_ids(held))


__all__ = [
    "Customer",
    "LineRequest",
    "ShippingAddress",
    "Stock",
    "order_cancel",
    "order_cancel_expired",
    "order_lock",
    "order_mark_paid",
    "order_payment_started",
    "order_place",
    "order_record_refund",
    "order_set_status",
]
