"""Payments of orders, every webhook event received, and bank transfers.

Status changes only through `market.payments.services` along the transition
table below. Gateway webhooks and bank notifications are stored once under a
unique constraint before anything acts on them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    CARD = "card", _("Thẻ ngân hàng")
    VIETQR = "vietqr", _("Chuyển khoản VietQR")


class PaymentStatus(models.TextChoices):
    # The row exists and holds its idempotency key; the gateway may or may not
    # have seen the request yet (a timeout leaves it here until a retry).
    STARTED = "started", _("Đang gửi tới cổng thanh toán")
    REQUIRES_ACTION = "requires_action", _("Chờ xác thực 3-D Secure")
    PROCESSING = "processing", _("Chờ ngân hàng xác nhận")
    SUCCEEDED = "succeeded", _("Đã trả")
    FAILED = "failed", _("Bị từ chối")
    CANCELED = "canceled", _("Đã hủy")


# The only moves `payment_set_status` allows. SUCCEEDED and FAILED are final,
# so a late or replayed event can never undo a payment.
PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.STARTED: {
        PaymentStatus.REQUIRES_ACTION,
        PaymentStatus.PROCESSING,
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
        PaymentStatus.CANCELED,
    },
    PaymentStatus.REQUIRES_ACTION: {
        PaymentStatus.PROCESSING,
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
        PaymentStatus.CANCELED,
    },
    PaymentStatus.PROCESSING: {
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
        PaymentStatus.CANCELED,
    },
    PaymentStatus.SUCCEEDED: set(),
    PaymentStatus.FAILED: set(),
    PaymentStatus.CANCELED: set(),
}


class Payment(models.Model):
    """One attempt to pay an order: a card PaymentIntent or a bank transfer.

    `idempotency_key` is created with the row, before the first request to
    the gateway, and sent again on every retry of that request, so a retry
    after a timeout can never charge twice.
    """

    # Financial records, not content: keep them out of Wagtail's usage index.
    wagtail_reference_index_ignore = True

    order = models.ForeignKey(
        "checkout.Order",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("đơn hàng"),
    )
    provider = models.CharField(_("hình thức"), max_length=10, choices=Provider.choices)
    reference = models.CharField(
        _("mã giao dịch của cổng"), max_length=100, blank=True, db_index=True
    )
    payment_method_ref = models.CharField(_("phương thức"), max_length=100, blank=True)
    amount_vnd = models.PositiveBigIntegerField(_("số tiền"))
    refunded_vnd = models.PositiveBigIntegerField(_("đã hoàn"), default=0)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.STARTED,
        db_index=True,
    )
    idempotency_key = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("khóa chống trùng")
    )
    # Only while 3-D Secure is pending: the browser needs it for
    # confirmCardPayment. Cleared once the payment leaves that state.
    client_secret = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        verbose_name=_("mã bí mật của cổng thẻ"),
    )
    failure_message = models.CharField(_("lý do"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("khoản thanh toán")
        verbose_name_plural = _("khoản thanh toán")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"],
                condition=~Q(reference=""),
                name="payment_unique_provider_reference",
            ),
            models.CheckConstraint(
                condition=Q(refunded_vnd__lte=models.F("amount_vnd")),
                name="payment_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.get_provider_display()} · {self.amount_vnd} ₫"


class PaymentEvent(models.Model):
    """A webhook event exactly as received, stored once per provider event id.

    `processed_at` is set in the same transaction as the change the event
    made, so a replay finds it set and changes nothing.
    """

    # Financial records, not content: keep them out of Wagtail's usage index.
    wagtail_reference_index_ignore = True

    provider = models.CharField(
        max_length=10, choices=Provider.choices, verbose_name=_("nơi gửi")
    )
    event_id = models.CharField(_("mã sự kiện"), max_length=100)
    type = models.CharField(_("loại"), max_length=100)
    payload = models.JSONField(verbose_name=_("nội dung"))
    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    processed_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sự kiện thanh toán")
        verbose_name_plural = _("sự kiện thanh toán")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payment_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type})"


class TransferMatch(models.TextChoices):
    MATCHED = "matched", _("Khớp đơn")
    UNDERPAID = "underpaid", _("Chuyển thiếu")
    OVERPAID = "overpaid", _("Chuyển thừa")
    UNMATCHED = "unmatched", _("Không tìm thấy đơn")


class TransferSource(models.TextChoices):
    WEBHOOK = "webhook", _("Thông báo của ngân hàng")
    STATEMENT = "statement", _("Sao kê tải lên")
    SEPAY = "sepay", _("SePay")
    CASSO = "casso", _("Casso")
    PAYOS = "payos", _("payOS")


class BankTransfer(models.Model):
    """Money that arrived in the market's collecting account.

    Stored once per bank transaction id, whether it came from the bank's
    notification or from a statement import. Anything but an exact match is
    flagged for the operator, who reviews it here.
    """

    # Financial records, not content: keep them out of Wagtail's usage index.
    wagtail_reference_index_ignore = True

    transaction_id = models.CharField(
        _("mã giao dịch ngân hàng"), max_length=64, unique=True
    )
    amount_vnd = models.PositiveBigIntegerField(_("số tiền"))
    reference = models.CharField(_("nội dung chuyển khoản"), max_length=255)
    occurred_at = models.DateTimeField(_("thời gian"))
    source = models.CharField(_("nguồn"), max_length=10, choices=TransferSource.choices)
    order = models.ForeignKey(
        "checkout.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_transfers",
        verbose_name=_("đơn hàng"),
    )
    match = models.CharField(
        _("đối soát"), max_length=10, choices=TransferMatch.choices, db_index=True
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    reviewed_at = models.DateTimeField(_("đã xem lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người đối soát"),
    )
    review_note = models.TextField(_("ghi chú của người vận hành"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

    class Meta:
        verbose_name = _("giao dịch chuyển khoản")
        verbose_name_plural = _("giao dịch chuyển khoản")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.transaction_id} · {self.amount_vnd} ₫"

    @property
    def needs_review(self) -> bool:
        return self.match != TransferMatch.MATCHED and self.reviewed_at is None


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Đang gửi")
    SUCCEEDED = "succeeded", _("Đã hoàn")
    FAILED = "failed", _("Không hoàn được")


class Refund(models.Model):
    """Money given back to a shopper, asked for by the operator.

    Card refunds go through the gateway (with their own idempotency key);
    VietQR refunds are recorded here and paid by the operator by bank.
    """

    # Financial records, not content: keep them out of Wagtail's usage index.
    wagtail_reference_index_ignore = True

    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("khoản thanh toán"),
    )
    amount_vnd = models.PositiveBigIntegerField(_("số tiền"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=RefundStatus.choices,
        default=RefundStatus.PENDING,
    )
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    reference = models.CharField(_("mã hoàn tiền của cổng"), max_length=100, blank=True)
    idempotency_key = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("khóa chống trùng")
    )
    manual = models.BooleanField(_("hoàn bằng chuyển khoản"), default=False)
    failure_message = models.CharField(_("lý do lỗi"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người hoàn tiền"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("lần hoàn tiền")
        verbose_name_plural = _("lần hoàn tiền")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="refund_unique_reference",
            ),
            models.CheckConstraint(
                condition=Q(amount_vnd__gt=0), name="refund_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} -{self.amount_vnd} ₫"
