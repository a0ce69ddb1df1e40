"""Traceability: farms, the append-only farm diary, lots with a hash-chained
event history, label runs, public scans, problem reports, and the link from a
lot to the order lines it filled.

History is never edited in place (farmOS style): diary entries and lot events
are only ever added, and current state is derived by selectors. A correction
is a new diary entry pointing at the one it corrects.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cms.private_files import RandomName, private_storage
from market.models import Address, Seller, Variant


class Farm(Address):
    """A seller's farm or production area (a garden, a pond, a workshop)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="farms")
    name = models.CharField(_("tên vườn / cơ sở"), max_length=150)
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    # GeoJSON Polygon coordinates ([[[lng, lat], …]]), optional.
    boundary = models.JSONField(_("ranh giới (GeoJSON)"), null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("diện tích (m²)"), null=True, blank=True)
    crops = models.CharField(
        _("cây trồng, vật nuôi, sản phẩm"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vườn / cơ sở sản xuất")
        verbose_name_plural = _("vườn / cơ sở sản xuất")
        ordering = ["seller", "name"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "name"], name="farm_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class DiaryKind(models.TextChoices):
    SEEDING = "seeding", _("Gieo trồng")
    INPUT = "input", _("Bón phân / phun thuốc")
    IRRIGATION = "irrigation", _("Tưới nước")
    OBSERVATION = "observation", _("Quan sát")
    HARVEST = "harvest", _("Thu hoạch")
    PACKING = "packing", _("Đóng gói")


class InputType(models.TextChoices):
    FERTILISER = "fertiliser", _("Phân bón")
    PESTICIDE = "pesticide", _("Thuốc bảo vệ thực vật")
    OTHER = "other", _("Khác")


class DiaryEntry(models.Model):
    """One thing done or seen on a farm. Never edited or deleted: a mistake
    is fixed by a new entry whose `corrects` points at the wrong one."""

    farm = models.ForeignKey(Farm, on_delete=models.PROTECT, related_name="diary")
    kind = models.CharField(_("việc làm"), max_length=12, choices=DiaryKind.choices)
    occurred_at = models.DateTimeField(_("thời gian"), db_index=True)
    note = models.TextField(_("ghi chú"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ảnh"),
    )
    # Inputs (fertiliser, pesticide): what, how much, and how long to wait.
    input_type = models.CharField(
        _("loại vật tư"), max_length=12, choices=InputType.choices, blank=True
    )
    input_product = models.CharField(_("tên sản phẩm"), max_length=150, blank=True)
    active_ingredient = models.CharField(_("hoạt chất"), max_length=150, blank=True)
    dose = models.CharField(_("liều lượng"), max_length=80, blank=True)
    pre_harvest_days = models.PositiveSmallIntegerField(
        _("thời gian cách ly (ngày)"),
        null=True,
        blank=True,
        help_text=_("Số ngày phải chờ sau khi phun mới được thu hoạch."),
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("sửa cho ghi chép"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhật ký đồng ruộng")
        verbose_name_plural = _("nhật ký đồng ruộng")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["farm", "kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.farm} - {self.occurred_at:%d/%m/%Y}"


class LotStatus(models.TextChoices):
    ACTIVE = "active", _("Đang bán")
    RECALLED = "recalled", _("Đã thu hồi")
    EXPIRED = "expired", _("Hết hạn")


class Lot(models.Model):
    """One harvest or production batch of a variant from a farm.

    `code` is printed in the QR code (GS1 AI 10), so it is short and
    URI-safe. Unit serials are derived from `serials_issued`: a label run
    reserves a range, no row per unit.
    """

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="lots")
    farm = models.ForeignKey(Farm, on_delete=models.PROTECT, related_name="lots")
    code = models.CharField(_("mã lô"), max_length=20)
    harvested_on = models.DateField(_("ngày thu hoạch"))
    packed_on = models.DateField(_("ngày đóng gói"), null=True, blank=True)
    best_before = models.DateField(_("hạn sử dụng"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("số lượng (đơn vị bán)"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=LotStatus.choices,
        default=LotStatus.ACTIVE,
        db_index=True,
    )
    recall_reason = models.TextField(_("lý do thu hồi"), blank=True)
    recalled_at = models.DateTimeField(null=True, blank=True)
    serials_issued = models.PositiveIntegerField(default=0, editable=False)
    # True for lots that existed before QR signatures named the lot's id:
    # their labels, already printed, carry the older ("unbound") signature.
    accepts_unbound_codes = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lô hàng")
        verbose_name_plural = _("lô hàng")
        ordering = ["-harvested_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "code"], name="lot_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.variant})"


class LotEventKind(models.TextChoices):
    COMMISSIONING = "commissioning", _("Thu hoạch, tạo lô")
    PACKING = "packing", _("Đóng gói")
    SHIPPING = "shipping", _("Gửi đi")
    RECEIVING = "receiving", _("Đã nhận")
    RECALL = "recall", _("Thu hồi")
    OBSERVATION = "observation", _("Ghi nhận khác")


class LotEvent(models.Model):
    """EPCIS-style history of a lot, append-only and hash-chained.

    `seq` counts from 1 per lot; `prev_hash` is the `hash` of event seq-1
    ("" for the first), and `hash` covers this event's content and
    `prev_hash`, so changing or removing an old event breaks every later
    link. `traceability.services` is the only writer.
    """

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=LotEventKind.choices)
    occurred_at = models.DateTimeField()
    # CBV values (bare words: "commissioning", "in_transit" …).
    biz_step = models.CharField(max_length=40)
    disposition = models.CharField(max_length=40, blank=True)
    read_point = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "seq"], name="lot_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}#{self.seq} {self.kind}"


class LabelRunStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang in")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class LabelRun(models.Model):
    """A print job of `count` unit labels for a lot, serials
    `first_serial … first_serial + count - 1`, rendered to one PDF."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="label_runs")
    first_serial = models.PositiveIntegerField()
    count = models.PositiveIntegerField(_("số tem"))
    columns = models.PositiveSmallIntegerField(_("số cột"), default=4)
    rows = models.PositiveSmallIntegerField(_("số hàng"), default=10)
    status = models.CharField(
        max_length=10, choices=LabelRunStatus.choices, default=LabelRunStatus.QUEUED
    )
    progress = models.PositiveIntegerField(_("đã in"), default=0)
    # Last sign of life of the worker drawing it (claim and every page).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Private storage, random name: the PDF's unit codes are genuine, anyone
    # holding it could print them (cms/private_files.py).
    pdf = models.FileField(
        upload_to=RandomName("labels/%Y/%m/"), blank=True, storage=private_storage
    )
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đợt in tem")
        verbose_name_plural = _("đợt in tem")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1), name="label_run_not_empty"
            ),
            models.UniqueConstraint(
                fields=["lot", "first_serial"], name="label_run_unique_range_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot.code}: {self.count}"


class Verdict(models.TextChoices):
    GENUINE = "genuine", _("Hàng thật")
    NOT_GENUINE = "not-genuine", _("Không xác thực được")
    RECALLED = "recalled", _("Đã thu hồi")
    EXPIRED = "expired", _("Hết hạn")
    SUSPICIOUS = "suspicious", _("Đáng ngờ")


class Scan(models.Model):
    """One public scan of a code: kept coarse (no raw IP, no user agent)."""

    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans"
    )
    serial = models.CharField(max_length=20, blank=True)
    scanned_at = models.DateTimeField(db_index=True)
    # "android", "ios", "desktop", "bot", "other".
    client_class = models.CharField(max_length=10)
    # Keyed hash of the client address, for counting distinct clients only.
    client_hash = models.CharField(max_length=16)
    verdict = models.CharField(max_length=12, choices=Verdict.choices)

    class Meta:
        verbose_name = _("lượt quét")
        verbose_name_plural = _("lượt quét")
        indexes = [
            models.Index(fields=["lot", "serial"]),
            models.Index(fields=["lot", "scanned_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}/{self.serial} {self.verdict}"


class ProblemReport(models.Model):
    """A shopper's "something is wrong with this product" from the scan page."""

    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    serial = models.CharField(max_length=20, blank=True)
    link = models.CharField(max_length=300, blank=True)
    message = models.TextField(_("nội dung"))
    contact = models.CharField(
        _("số điện thoại hoặc e-mail"), max_length=150, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phản ánh của người mua")
        verbose_name_plural = _("phản ánh của người mua")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.lot_id}: {self.message[:40]}"


class LotAllocation(models.Model):
    """Which lot filled how many units of an order line (set at packing).

    Lives here, not in market, because market never imports traceability;
    it lets a recall reach the shoppers a lot was sold to.
    """

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="allocations")
    order_line = models.ForeignKey(
        "checkout.OrderLine", on_delete=models.CASCADE, related_name="+"
    )
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lô đã đóng vào đơn")
        verbose_name_plural = _("lô đã đóng vào đơn")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "order_line"], name="allocation_unique_lot_line"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="allocation_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} → line {self.order_line_id} x {self.quantity}"
