"""Orders: one order may hold several sellers' goods and is split into one
shipment per seller. Prices, names and weights are snapshotted on the lines.

Status changes only through `market.checkout.services` along the transition
tables below; nothing else writes `status`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from market.models import Address, Seller, Variant


class ShippingZone(models.TextChoices):
    SAME_PROVINCE = "same", _("Cùng tỉnh")
    NEIGHBOUR = "neighbour", _("Tỉnh lân cận")
    OTHER = "other", _("Tỉnh khác")


class ShippingTariff(models.Model):
    """One row of the shipping price table: up to `max_weight_g` in a zone.

    The fee of a shipment is the fee of the lightest bracket that holds its
    weight; heavier parcels add `extra_per_kg_vnd` per started kilogram above
    the heaviest bracket. Edited by the operator in the admin.
    """

    zone = models.CharField(_("vùng giao"), max_length=10, choices=ShippingZone.choices)
    max_weight_g = models.PositiveIntegerField(_("khối lượng đến (gam)"))
    fee_vnd = models.PositiveIntegerField(_("phí giao (đồng)"))
    extra_per_kg_vnd = models.PositiveIntegerField(
        _("mỗi kg vượt thêm (đồng)"), default=0
    )

    class Meta:
        verbose_name = _("biểu phí giao hàng")
        verbose_name_plural = _("biểu phí giao hàng")
        ordering = ["zone", "max_weight_g"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "max_weight_g"], name="tariff_unique_bracket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_zone_display()} ≤ {self.max_weight_g} g: {self.fee_vnd} ₫"


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Thẻ ngân hàng")
    VIETQR = "vietqr", _("Chuyển khoản VietQR")


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    PACKING = "packing", _("Đang đóng gói")
    SHIPPED = "shipped", _("Đang giao")
    DELIVERED = "delivered", _("Đã giao")
    CANCELLED = "cancelled", _("Đã hủy")
    PARTLY_REFUNDED = "partly_refunded", _("Đã hoàn tiền một phần")
    REFUNDED = "refunded", _("Đã hoàn tiền")


# The only moves `order_set_status` allows (django-oscar style).
ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PENDING_PAYMENT: {OrderStatus.PAID, OrderStatus.CANCELLED},
    OrderStatus.PAID: {
        OrderStatus.PACKING,
        OrderStatus.SHIPPED,
        OrderStatus.PARTLY_REFUNDED,
        OrderStatus.REFUNDED,
    },
    OrderStatus.PACKING: {
        OrderStatus.SHIPPED,
        OrderStatus.PARTLY_REFUNDED,
        OrderStatus.REFUNDED,
    },
    OrderStatus.SHIPPED: {
        OrderStatus.DELIVERED,
        OrderStatus.PARTLY_REFUNDED,
        OrderStatus.REFUNDED,
    },
    OrderStatus.DELIVERED: {OrderStatus.PARTLY_REFUNDED, OrderStatus.REFUNDED},
    OrderStatus.PARTLY_REFUNDED: {
        OrderStatus.PACKING,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.PARTLY_REFUNDED,
        OrderStatus.REFUNDED,
    },
    OrderStatus.CANCELLED: set(),
    OrderStatus.REFUNDED: set(),
}


class Order(Address):
    """What a shopper bought, with where it goes and how it is paid.

    `number` is shown to people and printed in the VietQR purpose field;
    `access_token` is the secret of the shopper's order link (no account
    needed). Totals are whole dong, computed once at placement.
    """

    number = models.CharField(_("mã đơn"), max_length=16, unique=True)
    access_token = models.CharField(
        max_length=43, unique=True, editable=False, verbose_name=_("mã xem đơn")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("tài khoản người mua"),
    )
    customer_name = models.CharField(_("họ tên người nhận"), max_length=100)
    phone = models.CharField(_("số điện thoại"), max_length=15)
    email = models.EmailField(_("e-mail"), blank=True)
    payment_method = models.CharField(
        _("cách thanh toán"), max_length=10, choices=PaymentMethod.choices
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        db_index=True,
    )
    subtotal_vnd = models.PositiveBigIntegerField(_("tiền hàng"))
    shipping_vnd = models.PositiveBigIntegerField(_("phí giao hàng"))
    total_vnd = models.PositiveBigIntegerField(_("tổng tiền"))
    refunded_vnd = models.PositiveBigIntegerField(_("đã hoàn"), default=0)
    # Unpaid orders hold stock until then; a periodic task cancels them after.
    hold_until = models.DateTimeField(_("giữ hàng đến"), null=True, blank=True)
    # Who placed it (keyed hash of the account, else the client address), to
    # count one client's unpaid orders; never shown, not reversible.
    client_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        verbose_name=_("máy đặt hàng (ẩn danh)"),
    )
    created_at = models.DateTimeField(_("ngày đặt"), auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(_("ngày thanh toán"), null=True, blank=True)
    cancelled_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("hủy lúc")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("sửa lúc"))

    class Meta:
        verbose_name = _("đơn hàng")
        verbose_name_plural = _("đơn hàng")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "hold_until"]),
            models.Index(fields=["client_key", "status"], name="order_client_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    total_vnd=models.F("subtotal_vnd") + models.F("shipping_vnd")
                ),
                name="order_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(refunded_vnd__lte=models.F("total_vnd")),
                name="order_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderEvent(models.Model):
    """Append-only history of an order's status (who, when, from → to)."""

    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("đơn hàng"),
    )
    from_status = models.CharField(
        max_length=20, blank=True, verbose_name=_("trạng thái trước")
    )
    to_status = models.CharField(max_length=20, verbose_name=_("trạng thái sau"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("ghi chú"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người làm"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("lúc"))

    class Meta:
        verbose_name = _("lịch sử đơn hàng")
        verbose_name_plural = _("lịch sử đơn hàng")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


class ShipmentStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thanh toán")
    TO_PACK = "to_pack", _("Cần đóng gói")
    PACKED = "packed", _("Đã đóng gói")
    SHIPPED = "shipped", _("Đang giao")
    DELIVERED = "delivered", _("Đã giao")
    RETURNED = "returned", _("Bị hoàn về")
    CANCELLED = "cancelled", _("Đã hủy")


SHIPMENT_TRANSITIONS: dict[str, set[str]] = {
    ShipmentStatus.AWAITING_PAYMENT: {ShipmentStatus.TO_PACK, ShipmentStatus.CANCELLED},
    ShipmentStatus.TO_PACK: {
        ShipmentStatus.PACKED,
        ShipmentStatus.SHIPPED,
        ShipmentStatus.CANCELLED,
    },
    ShipmentStatus.PACKED: {ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED},
    ShipmentStatus.SHIPPED: {ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED},
    ShipmentStatus.DELIVERED: set(),
    ShipmentStatus.RETURNED: set(),
    ShipmentStatus.CANCELLED: set(),
}


class Shipment(models.Model):
    """One seller's part of an order: what that seller packs and sends.

    The post-office parcel that carries it lives in `market.fulfilment`.
    """

    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="shipments",
        verbose_name=_("đơn hàng"),
    )
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("người bán"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.AWAITING_PAYMENT,
        db_index=True,
    )
    zone = models.CharField(_("vùng giao"), max_length=10, choices=ShippingZone.choices)
    weight_g = models.PositiveIntegerField(_("khối lượng (gam)"))
    subtotal_vnd = models.PositiveBigIntegerField(_("tiền hàng"))
    shipping_vnd = models.PositiveBigIntegerField(_("phí giao hàng"))
    packed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("đóng gói lúc")
    )
    shipped_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("gửi đi lúc")
    )
    delivered_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("giao xong lúc")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

    class Meta:
        verbose_name = _("kiện hàng của người bán")
        verbose_name_plural = _("kiện hàng của người bán")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "seller"], name="shipment_one_per_seller"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.seller_id}"


class OrderLine(models.Model):
    """A variant bought, with the price, names and weight as they were."""

    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("đơn hàng"),
    )
    shipment = models.ForeignKey(
        Shipment,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("phần giao hàng"),
    )
    variant = models.ForeignKey(
        Variant,
        null=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
        verbose_name=_("loại hàng"),
    )
    sku = models.CharField(_("mã hàng"), max_length=40)
    gtin = models.CharField(max_length=14, blank=True, verbose_name=_("mã GTIN"))
    product_title = models.CharField(_("sản phẩm"), max_length=255)
    variant_label = models.CharField(_("quy cách"), max_length=60)
    unit_price_vnd = models.PositiveBigIntegerField(_("đơn giá"))
    quantity = models.PositiveIntegerField(_("số lượng"))
    weight_g = models.PositiveIntegerField(_("khối lượng mỗi đơn vị (gam)"))

    class Meta:
        verbose_name = _("dòng đơn hàng")
        verbose_name_plural = _("dòng đơn hàng")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="line_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_title} ({self.variant_label})"

    @property
    def total_vnd(self) -> int:
        return self.unit_price_vnd * self.quantity


class SavedCart(models.Model):
    """A signed-in shopper's cart, kept between sessions and devices.

    The working cart lives in the session; this copy is written whenever a
    signed-in shopper changes it and merged back into the session on login.
    `lines` maps variant id (as text) to quantity.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_cart",
        verbose_name=_("tài khoản"),
    )
    lines = models.JSONField(default=dict, verbose_name=_("các dòng"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("sửa lúc"))

    class Meta:
        verbose_name = _("giỏ hàng đã lưu")
        verbose_name_plural = _("giỏ hàng đã lưu")

    def __str__(self) -> str:
        return f"{self.user_id}: {len(self.lines)}"
