"""Post-office fulfilment: partners, their staff and API tokens, parcels with
an append-only event history, outgoing webhooks, and the sellers' ledger.

Parcel status changes only through `market.fulfilment.services` along
`PARCEL_TRANSITIONS`; parcel events and ledger entries are only ever added.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from market.models import Address, Seller


class Partner(Address):
    """A post office (or any delivery partner) that carries parcels."""

    name = models.CharField(_("tên bưu cục"), max_length=150)
    code = models.SlugField(
        _("mã bưu cục"),
        max_length=30,
        unique=True,
        help_text=_("Mã ngắn, không dấu, dùng trong API và lệnh quản trị."),
    )
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="delivery_partners",
        blank=True,
        verbose_name=_("nhân viên"),
    )
    is_active = models.BooleanField(_("đang nhận hàng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

    class Meta:
        verbose_name = _("bưu cục đối tác")
        verbose_name_plural = _("bưu cục đối tác")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerArea(models.Model):
    """Where a partner picks up: a whole province (no ward) or one ward."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="areas",
        verbose_name=_("bưu cục"),
    )
    province_code = models.PositiveIntegerField(_("tỉnh / thành phố"))
    ward_code = models.PositiveIntegerField(_("phường / xã"), null=True, blank=True)

    class Meta:
        verbose_name = _("vùng phục vụ")
        verbose_name_plural = _("vùng phục vụ")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "province_code", "ward_code"],
                name="partner_area_unique",
            ),
            models.UniqueConstraint(
                fields=["partner", "province_code"],
                condition=Q(ward_code__isnull=True),
                name="partner_area_unique_province",
            ),
        ]
        indexes = [models.Index(fields=["province_code", "ward_code"])]

    def __str__(self) -> str:
        from market import places

        if self.ward_code:
            ward = places.ward_name(self.ward_code)
            return f"{ward}, {places.province_name(self.province_code)}"
        return places.province_name(self.province_code)

    def clean(self):
        from market import places

        super().clean()
        if self.ward_code and not places.is_valid_ward(
            province_code=self.province_code, ward_code=self.ward_code
        ):
            raise ValidationError(
                {
                    "ward_code": _(
                        "Phường/xã này không thuộc tỉnh đã chọn. Hãy chọn lại."
                    )
                }
            )


class PartnerToken(models.Model):
    """An API key of one partner. Only its SHA-256 is stored; the key itself
    is shown once, at creation. Revoked keys stay for the record."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="tokens",
        verbose_name=_("bưu cục"),
    )
    name = models.CharField(_("tên gợi nhớ"), max_length=100, blank=True)
    prefix = models.CharField(_("đầu mã"), max_length=12, editable=False)
    key_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("mã băm của khóa")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa API của bưu cục")
        verbose_name_plural = _("khóa API của bưu cục")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.partner})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ParcelStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Chờ bưu cục nhận")
    ACCEPTED = "accepted", _("Bưu cục đã nhận đơn")
    PICKED_UP = "picked_up", _("Đã lấy hàng")
    IN_TRANSIT = "in_transit", _("Đang vận chuyển")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Đang đi giao")
    DELIVERED = "delivered", _("Đã giao")
    FAILED_ATTEMPT = "failed_attempt", _("Giao không thành công")
    RETURNED = "returned", _("Đã hoàn về người bán")
    CANCELLED = "cancelled", _("Đã hủy")


# The only moves `parcel_set_status` allows. Cancelling is for the market
# (order cancelled or refunded before pick-up), never for the partner API.
PARCEL_TRANSITIONS: dict[str, set[str]] = {
    ParcelStatus.ASSIGNED: {ParcelStatus.ACCEPTED, ParcelStatus.CANCELLED},
    ParcelStatus.ACCEPTED: {ParcelStatus.PICKED_UP, ParcelStatus.CANCELLED},
    ParcelStatus.PICKED_UP: {ParcelStatus.IN_TRANSIT},
    ParcelStatus.IN_TRANSIT: {ParcelStatus.OUT_FOR_DELIVERY},
    ParcelStatus.OUT_FOR_DELIVERY: {
        ParcelStatus.DELIVERED,
        ParcelStatus.FAILED_ATTEMPT,
    },
    ParcelStatus.FAILED_ATTEMPT: {
        ParcelStatus.OUT_FOR_DELIVERY,
        ParcelStatus.RETURNED,
    },
    ParcelStatus.DELIVERED: set(),
    ParcelStatus.RETURNED: set(),
    ParcelStatus.CANCELLED: set(),
}

# Statuses a partner may report (portal or API).
PARTNER_STATUSES = [
    s for s in ParcelStatus if s not in {ParcelStatus.ASSIGNED, ParcelStatus.CANCELLED}
]


class Parcel(models.Model):
    """The post-office parcel that carries one seller shipment."""

    shipment = models.OneToOneField(
        "checkout.Shipment",
        on_delete=models.PROTECT,
        related_name="parcel",
        verbose_name=_("kiện của người bán"),
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="parcels",
        verbose_name=_("bưu cục"),
    )
    tracking_code = models.CharField(_("mã vận đơn"), max_length=20, unique=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ParcelStatus.choices,
        default=ParcelStatus.ASSIGNED,
        db_index=True,
    )
    weight_g = models.PositiveIntegerField(_("khối lượng (gam)"))
    created_at = models.DateTimeField(_("giao cho bưu cục lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    accepted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("nhận lúc")
    )
    picked_up_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("lấy hàng lúc")
    )
    delivered_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("giao xong lúc")
    )

    class Meta:
        verbose_name = _("bưu kiện")
        verbose_name_plural = _("bưu kiện")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "status", "created_at"])]

    def __str__(self) -> str:
        return self.tracking_code


class UnservedShipment(models.Model):
    """A paid seller shipment no active post office serves (by the seller's
    ward, then province): what the operator must act on. One row per
    shipment, so the every-minute `assign_parcels` job alerts once;
    `alerted_at` is set when the operator's e-mail went out. The row stays
    after a parcel is made (the list shows only shipments still without one).
    """

    shipment = models.OneToOneField(
        "checkout.Shipment",
        on_delete=models.CASCADE,
        related_name="unserved",
        verbose_name=_("kiện của người bán"),
    )
    # The seller's place when it was found unserved (the reason shown).
    province_code = models.PositiveIntegerField(_("tỉnh / thành phố"))
    ward_code = models.PositiveIntegerField(_("phường / xã"), null=True, blank=True)
    found_at = models.DateTimeField(_("phát hiện lúc"), auto_now_add=True)
    alerted_at = models.DateTimeField(_("đã báo lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiện chưa có bưu cục nhận")
        verbose_name_plural = _("kiện chưa có bưu cục nhận")
        ordering = ["found_at", "pk"]

    def __str__(self) -> str:
        return f"{self.shipment_id}"


class ParcelEvent(models.Model):
    """One status change of a parcel, never edited. `client_event_id` is the
    partner's own id of the event, unique per partner, so a retried API call
    changes nothing the second time."""

    parcel = models.ForeignKey(
        Parcel,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("bưu kiện"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("bưu cục")
    )
    from_status = models.CharField(
        max_length=20, blank=True, verbose_name=_("trạng thái trước")
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=ParcelStatus.choices
    )
    client_event_id = models.CharField(
        max_length=64, blank=True, verbose_name=_("mã sự kiện của bưu cục")
    )
    occurred_at = models.DateTimeField(_("thời gian"))
    location = models.CharField(_("địa điểm"), max_length=200, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người làm"),
    )
    token = models.ForeignKey(
        PartnerToken,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("khóa truy cập"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ghi lúc"))

    class Meta:
        verbose_name = _("diễn biến bưu kiện")
        verbose_name_plural = _("diễn biến bưu kiện")
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "client_event_id"],
                condition=~Q(client_event_id=""),
                name="parcel_event_unique_client_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id}: {self.from_status} → {self.status}"


class WebhookEndpoint(models.Model):
    """Where a partner wants to hear about new and cancelled parcels."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("bưu cục"),
    )
    url = models.URLField(_("địa chỉ nhận (URL)"), max_length=300)
    secret = models.CharField(
        _("khóa ký"),
        max_length=64,
        help_text=_("Dùng để kiểm tra chữ ký HMAC-SHA256 ở phía bưu cục."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

    class Meta:
        verbose_name = _("địa chỉ webhook")
        verbose_name_plural = _("địa chỉ webhook")

    def __str__(self) -> str:
        return f"{self.partner}: {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ gửi")
    SUCCEEDED = "succeeded", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, đã dừng thử")


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, with every attempt's outcome.

    `event_id` travels in the request, so a receiver can drop duplicates
    (retries and replays reuse it)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("địa chỉ nhận"),
    )
    event_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("mã sự kiện")
    )
    event_type = models.CharField(_("sự kiện"), max_length=40)
    payload = models.JSONField(verbose_name=_("nội dung gửi"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_response_code = models.PositiveSmallIntegerField(
        _("mã trả lời"), null=True, blank=True
    )
    last_error = models.CharField(_("lỗi"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("lần gửi webhook")
        verbose_name_plural = _("nhật ký webhook")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint.url}"


class LedgerKind(models.TextChoices):
    SALE = "sale", _("Tiền hàng đã giao")
    COMMISSION = "commission", _("Phí sàn")
    REFUND = "refund", _("Hoàn tiền cho người mua")
    PAYOUT = "payout", _("Đã chuyển cho người bán")
    ADJUSTMENT = "adjustment", _("Điều chỉnh")
    VAT = "vat", _("Thuế GTGT sàn khấu trừ")
    PIT = "pit", _("Thuế TNCN sàn khấu trừ")


class LedgerEntry(models.Model):
    """One line of a seller's account with the market: positive is owed to
    the seller, negative is taken back. Never changed or deleted; the balance
    is the sum. (shipment, kind, reference) is unique, so crediting the same
    delivery twice is impossible."""

    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("người bán"),
    )
    kind = models.CharField(_("loại"), max_length=12, choices=LedgerKind.choices)
    amount_vnd = models.BigIntegerField(_("số tiền (đồng)"))
    shipment = models.ForeignKey(
        "checkout.Shipment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("phần giao hàng"),
    )
    order = models.ForeignKey(
        "checkout.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn hàng"),
    )
    reference = models.CharField(
        max_length=40, blank=True, verbose_name=_("tham chiếu")
    )
    # On a tax line: the revenue it was withheld on (negative on a reversal).
    base_vnd = models.BigIntegerField(_("doanh thu tính thuế (đồng)"), null=True)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("ngày ghi"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("bút toán người bán")
        verbose_name_plural = _("sổ cái người bán")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "kind", "reference"],
                condition=Q(shipment__isnull=False),
                name="ledger_unique_per_shipment",
            )
        ]
        indexes = [models.Index(fields=["seller", "created_at"])]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.kind} {self.amount_vnd}"

    def save(self, *args, **kwargs):
        # Append-only: history is corrected by a new entry, never in place.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)


class TaxActivity(models.TextChoices):
    """Kinds of business of Decree 117/2025/NĐ-CP (rates by the table of
    Circular 40/2021/TT-BTC, Appendix I)."""

    GOODS = "goods", _("Phân phối, cung cấp hàng hoá")
    SERVICES = "services", _("Dịch vụ")


class TaxRate(models.Model):
    """The VAT and personal income tax a platform withholds on each sale of
    a household or individual seller, for one kind of business, from a date.
    The operator edits the table; the rate of a sale is the one with the
    latest `valid_from` on or before the day of the sale."""

    activity = models.CharField(
        _("ngành nghề"), max_length=12, choices=TaxActivity.choices
    )
    vat_percent = models.DecimalField(
        _("thuế GTGT (%)"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    pit_percent = models.DecimalField(
        _("thuế TNCN (%)"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    valid_from = models.DateField(_("áp dụng từ ngày"))
    source = models.CharField(
        _("căn cứ"),
        max_length=300,
        help_text=_("Văn bản quy định mức thuế này, ví dụ số nghị định và điều."),
    )

    class Meta:
        verbose_name = _("mức thuế khấu trừ")
        verbose_name_plural = _("mức thuế khấu trừ")
        ordering = ["activity", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "valid_from"], name="tax_rate_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_activity_display()}: GTGT {self.vat_percent}%, "
            f"TNCN {self.pit_percent}% ({self.valid_from:%d/%m/%Y})"
        )
