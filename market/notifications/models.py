"""Who wants to be told how, and every message sent (the delivery log)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from market.models import Seller


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class Kind(models.TextChoices):
    ORDER_TO_PACK = "order_to_pack", _("Đơn mới cần đóng gói")
    CERTIFICATE_EXPIRING = "certificate_expiring", _("Giấy chứng nhận sắp hết hạn")
    COPIED_CODE = "copied_code", _("Mã QR có thể bị sao chép")
    RECALL = "recall", _("Thu hồi lô hàng")
    PRODUCT_PUBLISHED = "product_published", _("Sản phẩm đã được đăng")
    PRODUCT_REJECTED = "product_rejected", _("Sản phẩm chưa được duyệt")


class NotificationPreference(models.Model):
    """How a seller wants to be told (one per seller; the farmer edits it).

    `phone` is stored as the gateways take it (`84…`); without a phone the
    seller gets e-mail whatever the channel says."""

    seller = models.OneToOneField(
        Seller,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("cửa hàng"),
    )
    channel = models.CharField(
        _("nhận tin qua"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.EMAIL,
        help_text=_("Zalo và SMS cần số điện thoại di động bên dưới."),
    )
    phone = models.CharField(
        _("số điện thoại nhận tin"),
        max_length=15,
        blank=True,
        help_text=_("Số di động, ví dụ 0905 123 456."),
    )
    email = models.EmailField(
        _("e-mail nhận tin"),
        blank=True,
        help_text=_("Để trống: gửi đến e-mail của cửa hàng."),
    )
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("cách nhận tin báo")
        verbose_name_plural = _("cách nhận tin báo")

    def __str__(self) -> str:
        return f"{self.seller} — {self.get_channel_display()}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Không gửi được")


class Delivery(models.Model):
    """One message to one recipient on one channel, with every attempt's
    outcome. `key` makes a message idempotent: the same event (an order's
    shipment, a certificate, a code) is never told twice, and it travels to
    the provider (eSMS `RequestId`, ZNS `tracking_id`) so a retry after a
    lost answer is not sent twice either."""

    key = models.CharField(_("mã tin"), max_length=120, unique=True)
    seller = models.ForeignKey(
        Seller,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_deliveries",
        verbose_name=_("cửa hàng"),
        help_text=_("Trống: tin gửi cho người mua."),
    )
    recipient = models.CharField(_("gửi đến"), max_length=254)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("loại tin"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    text = models.TextField(_("nội dung"))
    unicode = models.BooleanField(_("có dấu (UCS-2)"), default=False)
    template_data = models.JSONField(_("dữ liệu mẫu Zalo"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    provider_message_id = models.CharField(
        _("mã tin của nhà mạng"), max_length=100, blank=True
    )
    last_error = models.CharField(_("lỗi gần nhất"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tin báo đã gửi")
        verbose_name_plural = _("nhật ký tin báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class ZaloToken(models.Model):
    """The Official Account's current ZNS tokens (one row). Zalo's access
    token lasts about 25 hours and its refresh token can be used once, so
    the pair that each refresh returns must be kept: environment variables
    only seed the first one."""

    access_token = models.TextField(blank=True, verbose_name=_("mã truy cập"))
    refresh_token = models.TextField(blank=True, verbose_name=_("mã làm mới"))
    expires_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("hết hạn lúc")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("sửa lúc"))

    class Meta:
        verbose_name = _("khóa Zalo")
        verbose_name_plural = _("khóa Zalo")

    def __str__(self) -> str:
        return (
            f"Zalo token (hết hạn {self.expires_at:%d/%m/%Y %H:%M})"
            if self.expires_at
            else "Zalo token"
        )
