"""Demo data for `manage.py seed_demo`: shipping tariffs and sample orders.

Idempotent: tariffs are the defaults `migrate` gives (a priced zone is left
alone) and sample orders are keyed by fixed demo numbers, so a second run
changes nothing. Sample orders use the demo stores of `market.demo`
(variants with SKUs `DEMO-…`); without them only the tariffs are seeded.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from market.checkout.models import Order, ShipmentStatus
from market.checkout.services import (
    CheckoutError,
    Customer,
    LineRequest,
    ShippingAddress,
    order_cancel,
    order_mark_paid,
    order_place,
    order_record_refund,
    shipment_set_status,
)
from market.checkout.services.shipping import tariffs_default_ensure
from market.models import Seller, Variant
from market.services.sellers import operator_group_ensure

logger = logging.getLogger(__name__)

DEMO_FARMER_USERNAME = "nongdan"
SHOPPER = Customer("Nguyễn Thị Lan", "0987654321", "lan@example.vn")
ADDRESS = ShippingAddress(1, 4, "25 phố Đội Cấn")  # Phường Ba Đình, Hà Nội
# Fixed numbers (outside the random space in practice) make the step idempotent.
PENDING, TO_PACK, SHIPPED, CANCELLED, REFUNDED = (
    "NQDEM2AA",
    "NQDEM2AB",
    "NQDEM2AC",
    "NQDEM2AD",
    "NQDEM2AE",
)


def tariffs_seed() -> int:
    """The shipping fee table (the same defaults `migrate` gives)."""
    return tariffs_default_ensure()


def _demo_variants() -> list[Variant]:
    """One in-stock demo variant per seller, the demo farmer's store first."""
    farmer_sellers = set(
        Seller.objects.filter(users__username=DEMO_FARMER_USERNAME).values_list(
            "pk", flat=True
        )
    )
    variants = (
        Variant.objects.select_related("product", "stock")
        .filter(
            sku__startswith="DEMO-",
            is_active=True,
            product__live=True,
            stock__on_hand__gte=10,
        )
        .order_by("sku")
    )
    picked: dict[int, Variant] = {}
    for variant in variants:
        if variant.stock.available >= 5:
            picked.setdefault(variant.product.seller_id, variant)
    return sorted(
        picked.values(), key=lambda v: v.product.seller_id not in farmer_sellers
    )


def _place(number: str, variants: list[Variant], method: str) -> Order | None:
    if Order.objects.filter(number=number).exists():
        return None
    order = order_place(
        cart_lines=[LineRequest(v.pk, 1) for v in variants],
        customer=SHOPPER,
        address=ADDRESS,
        payment_method=method,
    )
    Order.objects.filter(pk=order.pk).update(number=number)
    order.number = number
    return order


def _paid(number, variants, method="card") -> Order | None:
    order = _place(number, variants, method)
    if order is not None:
        order_mark_paid(order=order, paid_at=timezone.now(), note="Demo")
    return order


def _orders_seed(variants: list[Variant]) -> None:
    first, second = variants[0], variants[1]
    _place(PENDING, [first, second], "vietqr")
    _paid(TO_PACK, [first, second])
    shipped = _paid(SHIPPED, [second])
    if shipped is not None:
        for shipment in shipped.shipments.all():
            shipment_set_status(shipment=shipment, to_status=ShipmentStatus.PACKED)
            shipment_set_status(shipment=shipment, to_status=ShipmentStatus.SHIPPED)
    cancelled = _place(CANCELLED, [first], "vietqr")
    if cancelled is not None:
        order_cancel(order=cancelled, note="Quá hạn thanh toán (dữ liệu mẫu)")
    refunded = _paid(REFUNDED, [second], "card")
    if refunded is not None:
        order_record_refund(
            order=refunded, amount_vnd=refunded.total_vnd, note="Khách đổi ý (mẫu)"
        )


@transaction.atomic
def seed_checkout() -> None:
    """Shipping tariffs, the operator group and five sample orders
    (awaiting payment, to pack, shipped, cancelled, refunded)."""
    tariffs_seed()
    operator_group_ensure()
    variants = _demo_variants()
    if len(variants) < 2:
        logger.info("No demo stores with stock: sample orders skipped.")
        return
    try:
        _orders_seed(variants)
    except CheckoutError as error:
        logger.warning("Sample orders skipped: %s", error)
