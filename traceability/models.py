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
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.private_files import RandomName, private_storage
from market.identifiers import tax_code_validator
from market.models import Address, Seller, Variant


def gln_validator(value: str) -> None:
    """A GS1 GLN: 13 digits, the last a GS1 check digit (same rule as GTIN)."""
    if not value:
        return
    digits = value.isdigit() and len(value) == 13
    if not digits or _gs1_check_digit(value[:12]) != value[12]:
        raise ValidationError(
            _("Mã GLN gồm 13 chữ số, số cuối là số kiểm tra. Hãy xem lại giấy GS1."),
            code="invalid_gln",
        )


def _gs1_check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


class Farm(Address):
    """A seller's farm or production area (a garden, a pond, a workshop)."""

    seller = models.ForeignKey(
        Seller,
        on_delete=models.CASCADE,
        related_name="farms",
        verbose_name=_("người bán"),
    )
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
    # GS1 Global Location Number of the site, when the seller has one: the
    # location code of Circular 02/2024/TT-BKHCN (else our own site URI).
    gln = models.CharField(
        _("mã địa điểm GLN"),
        max_length=13,
        blank=True,
        validators=[gln_validator],
        help_text=_("13 chữ số, nếu cơ sở đã đăng ký mã GLN. Bỏ trống nếu chưa có."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

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

    farm = models.ForeignKey(
        Farm,
        on_delete=models.PROTECT,
        related_name="diary",
        verbose_name=_("vườn / cơ sở"),
    )
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
    # Made by the phone (or the form) before sending: an entry sent twice,
    # say after the connection came back, is still one entry.
    client_id = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        verbose_name=_("mã do điện thoại tạo"),
    )

    class Meta:
        verbose_name = _("nhật ký đồng ruộng")
        verbose_name_plural = _("nhật ký đồng ruộng")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["farm", "kind", "occurred_at"])]

    def __str__(self) -> str:
        day = timezone.localtime(self.occurred_at)  # the farm's day, not UTC's
        return f"{self.get_kind_display()} - {self.farm} - {day:%d/%m/%Y}"


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

    variant = models.ForeignKey(
        Variant,
        on_delete=models.PROTECT,
        related_name="lots",
        verbose_name=_("loại hàng"),
    )
    farm = models.ForeignKey(
        Farm,
        on_delete=models.PROTECT,
        related_name="lots",
        verbose_name=_("vườn / cơ sở"),
    )
    code = models.CharField(_("mã lô"), max_length=20)
    harvested_on = models.DateField(_("ngày thu hoạch"))
    packed_on = models.DateField(_("ngày đóng gói"), null=True, blank=True)
    best_before = models.DateField(_("hạn sử dụng"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("số lượng (đơn vị bán)"))
    # Standards the lot was made to (Circular 02/2024/TT-BKHCN): national or
    # company standards as text; VietGAP/OCOP come from approved certificates.
    standards_applied = models.CharField(
        _("tiêu chuẩn áp dụng"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: TCVN 5107:2018. Chứng nhận VietGAP, OCOP tự hiện ra."),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=LotStatus.choices,
        default=LotStatus.ACTIVE,
        db_index=True,
    )
    recall_reason = models.TextField(_("lý do thu hồi"), blank=True)
    recalled_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("thu hồi lúc")
    )
    serials_issued = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("số tem đã in")
    )
    # True for lots that existed before QR signatures named the lot's id:
    # their labels, already printed, carry the older ("unbound") signature.
    accepts_unbound_codes = models.BooleanField(
        default=False,
        editable=False,
        verbose_name=_("nhận mã in trước khi có chữ ký theo lô"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

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

    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="events", verbose_name=_("lô hàng")
    )
    seq = models.PositiveIntegerField(verbose_name=_("số thứ tự"))
    event_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("mã sự kiện")
    )
    kind = models.CharField(
        max_length=16, choices=LotEventKind.choices, verbose_name=_("loại")
    )
    occurred_at = models.DateTimeField(verbose_name=_("thời điểm"))
    # CBV values (bare words: "commissioning", "in_transit" …).
    biz_step = models.CharField(max_length=40, verbose_name=_("bước (EPCIS)"))
    disposition = models.CharField(
        max_length=40, blank=True, verbose_name=_("tình trạng (EPCIS)")
    )
    read_point = models.CharField(
        max_length=200, blank=True, verbose_name=_("nơi ghi nhận")
    )
    data = models.JSONField(default=dict, blank=True, verbose_name=_("dữ liệu"))
    prev_hash = models.CharField(
        max_length=64, blank=True, verbose_name=_("mã băm trước")
    )
    hash = models.CharField(max_length=64, verbose_name=_("mã băm"))
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ghi lúc"))

    class Meta:
        verbose_name = _("sự kiện của lô")
        verbose_name_plural = _("các sự kiện của lô")
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

    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        related_name="label_runs",
        verbose_name=_("lô hàng"),
    )
    first_serial = models.PositiveIntegerField(verbose_name=_("số tem đầu"))
    count = models.PositiveIntegerField(_("số tem"))
    columns = models.PositiveSmallIntegerField(_("số cột"), default=4)
    rows = models.PositiveSmallIntegerField(_("số hàng"), default=10)
    status = models.CharField(
        max_length=10,
        choices=LabelRunStatus.choices,
        default=LabelRunStatus.QUEUED,
        verbose_name=_("trạng thái"),
    )
    progress = models.PositiveIntegerField(_("đã in"), default=0)
    # Last sign of life of the worker drawing it (claim and every page).
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("lần báo tiến độ cuối")
    )
    # Private storage, random name: the PDF's unit codes are genuine, anyone
    # holding it could print them (cms/private_files.py).
    pdf = models.FileField(
        upload_to=RandomName("labels/%Y/%m/"),
        blank=True,
        storage=private_storage,
        verbose_name=_("tệp PDF"),
    )
    error = models.TextField(blank=True, verbose_name=_("lỗi"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("xong lúc")
    )

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
        Lot,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scans",
        verbose_name=_("lô hàng"),
    )
    serial = models.CharField(max_length=20, blank=True, verbose_name=_("số tem"))
    scanned_at = models.DateTimeField(db_index=True, verbose_name=_("quét lúc"))
    # "android", "ios", "desktop", "bot", "other".
    client_class = models.CharField(max_length=10, verbose_name=_("loại máy"))
    # Keyed hash of the client address, for counting distinct clients only.
    client_hash = models.CharField(
        max_length=16, verbose_name=_("mã máy quét (ẩn danh)")
    )
    verdict = models.CharField(
        max_length=12, choices=Verdict.choices, verbose_name=_("kết quả")
    )

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
        Lot,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("lô hàng"),
    )
    serial = models.CharField(max_length=20, blank=True, verbose_name=_("số tem"))
    link = models.CharField(max_length=300, blank=True, verbose_name=_("đường dẫn"))
    message = models.TextField(_("nội dung"))
    contact = models.CharField(
        _("số điện thoại hoặc e-mail"), max_length=150, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("gửi lúc"))
    handled_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("xử lý lúc")
    )

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

    lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("lô hàng"),
    )
    order_line = models.ForeignKey(
        "checkout.OrderLine",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("dòng đơn hàng"),
    )
    quantity = models.PositiveIntegerField(verbose_name=_("số lượng"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

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


class LotInput(models.Model):
    """One step back (Circular 02/2024/TT-BKHCN, "một bước trước"): what a lot
    was made from. Either another lot on the market (`source_lot`, possibly
    another seller's), or a purchased input written in the farm diary
    (`diary_entry`), or an input named by hand; the supplier and their lot
    code are copied in at the time, so the record stays as it was declared.
    Never edited: a wrong line is a mistake to report, like lot events.
    """

    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="inputs", verbose_name=_("lô hàng")
    )
    source_lot = models.ForeignKey(
        Lot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="used_in",
        verbose_name=_("lô nguyên liệu trên chợ"),
    )
    diary_entry = models.ForeignKey(
        DiaryEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ghi chép nhật ký"),
    )
    product_name = models.CharField(_("nguyên liệu, vật tư"), max_length=150)
    supplier_name = models.CharField(_("bên cung cấp"), max_length=200)
    supplier_tax_code = models.CharField(
        _("mã số thuế bên cung cấp"),
        max_length=14,
        blank=True,
        validators=[tax_code_validator],
    )
    supplier_gln = models.CharField(
        _("mã GLN bên cung cấp"), max_length=13, blank=True, validators=[gln_validator]
    )
    supplier_lot_code = models.CharField(
        _("mã lô của bên cung cấp"), max_length=40, blank=True
    )
    supplier_gtin = models.CharField(
        _("GTIN của nguyên liệu"), max_length=14, blank=True
    )
    quantity = models.CharField(_("số lượng"), max_length=60, blank=True)
    received_on = models.DateField(_("ngày nhận"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ghi lúc"))

    class Meta:
        verbose_name = _("nguyên liệu của lô")
        verbose_name_plural = _("nguyên liệu của lô")
        ordering = ["lot", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source_lot=models.F("lot")), name="lot_input_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} ← {self.product_name} ({self.supplier_name})"
