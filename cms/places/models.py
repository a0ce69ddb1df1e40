"""The commune's places: heritage sites, craft villages, farms to visit.

Each place page has a short story (Vietnamese first, an English version for
visitors), photos, opening hours, its map point and ward, an optional
reading aloud, and the market's products made there. A printed QR plaque
opens the page with `?qr=1`, which counts one scan for the operator.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from market import places

AUDIO_EXTENSIONS = ["mp3", "m4a", "ogg", "opus"]
AUDIO_MAX_BYTES = 10 * 1024 * 1024


class PlaceKind(models.TextChoices):
    HERITAGE = "di-tich", _("Di tích lịch sử, văn hoá")
    CRAFT_VILLAGE = "lang-nghe", _("Làng nghề")
    FARM = "trang-trai", _("Trang trại, vườn tham quan")
    LANDSCAPE = "canh-quan", _("Cảnh quan thiên nhiên")


def audio_size_validator(file) -> None:
    if file.size > AUDIO_MAX_BYTES:
        raise ValidationError(
            _("Tệp ghi âm lớn quá 10 MB. Hãy ghi ngắn hơn hoặc nén lại (MP3).")
        )


def _audio_field(label):
    return models.FileField(
        label,
        upload_to="places/audio/",
        blank=True,
        validators=[
            FileExtensionValidator(
                AUDIO_EXTENSIONS,
                message=_("Chỉ nhận tệp ghi âm MP3, M4A, OGG hoặc OPUS."),
            ),
            audio_size_validator,
        ],
        help_text=_("Một người đọc câu chuyện này (không bắt buộc)."),
    )


class PlaceIndexPage(Page):
    intro = RichTextField(
        _("giới thiệu"), blank=True, features=["bold", "italic", "link"]
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["places.PlacePage"]
    max_count = 1

    class Meta:
        verbose_name = _("trang địa danh")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["places"] = (
            PlacePage.objects.live().public().child_of(self).order_by("title")
        )
        return context


class PlacePage(Page):
    kind = models.CharField(
        _("loại địa danh"), max_length=12, choices=PlaceKind.choices
    )
    summary = models.CharField(
        _("giới thiệu ngắn"),
        max_length=300,
        help_text=_("Một hai câu, hiện ngay dưới tên."),
    )
    story = RichTextField(
        _("câu chuyện"), features=["h2", "bold", "italic", "link", "ul"]
    )
    opening_hours = models.CharField(
        _("giờ mở cửa"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: 7:00–17:00 hằng ngày; nghỉ chiều thứ Hai."),
    )
    province_code = models.PositiveIntegerField(_("tỉnh / thành phố"))
    ward_code = models.PositiveIntegerField(_("phường / xã"), null=True, blank=True)
    latitude = models.DecimalField(
        _("vĩ độ"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(8), MaxValueValidator(24)],
    )
    longitude = models.DecimalField(
        _("kinh độ"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(102), MaxValueValidator(118)],
    )
    audio = _audio_field(_("đọc to (tiếng Việt)"))
    title_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    summary_en = models.CharField(
        _("giới thiệu ngắn tiếng Anh"), max_length=300, blank=True
    )
    story_en = models.TextField(_("câu chuyện tiếng Anh"), blank=True)
    audio_en = _audio_field(_("đọc to (tiếng Anh)"))
    products = ParentalManyToManyField(
        "market.ProductPage",
        blank=True,
        related_name="places",
        verbose_name=_("sản phẩm làm ở đây"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("story"),
        InlinePanel("photos", label=_("Ảnh"), max_num=6),
        FieldPanel("opening_hours"),
        MultiFieldPanel(
            [
                FieldPanel("province_code"),
                FieldPanel("ward_code"),
                FieldPanel("latitude"),
                FieldPanel("longitude"),
            ],
            heading=_("Vị trí"),
        ),
        FieldPanel("audio"),
        FieldPanel("products"),
        MultiFieldPanel(
            [
                FieldPanel("title_en"),
                FieldPanel("summary_en"),
                FieldPanel("story_en"),
                FieldPanel("audio_en"),
            ],
            heading=_("Cho khách nước ngoài (tiếng Anh)"),
        ),
    ]
    parent_page_types = ["places.PlaceIndexPage"]
    subpage_types: list[str] = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("story"),
        index.SearchField("title_en"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("địa danh")
        verbose_name_plural = _("địa danh")

    def clean(self):
        super().clean()
        if self.province_code and not places.province_name(self.province_code):
            raise ValidationError({"province_code": _("Mã tỉnh này không có.")})
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
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."))

    @property
    def province_name(self) -> str:
        return places.province_name(self.province_code)

    @property
    def ward_name(self) -> str:
        return places.ward_name(self.ward_code)

    def serve(self, request, *args, **kwargs):
        if request.method == "GET" and request.GET.get("qr") == "1":
            from cms.places.services import place_scan_record

            place_scan_record(place=self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from cms.places.selectors import place_detail

        context = super().get_context(request, *args, **kwargs)
        context.update(place_detail(place=self))
        return context


class PlacePhoto(Orderable):
    place = ParentalKey(
        PlacePage,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("địa điểm"),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("ảnh"),
    )
    alt_text = models.CharField(
        _("mô tả ảnh"),
        max_length=200,
        help_text=_("Ảnh chụp gì, cho người không xem được ảnh."),
    )

    panels = [FieldPanel("image"), FieldPanel("alt_text")]

    class Meta(Orderable.Meta):
        verbose_name = _("ảnh địa danh")


class PlaceScanDay(models.Model):
    """Scans of a place's QR plaque, one row a place and day (local)."""

    place = models.ForeignKey(
        PlacePage,
        on_delete=models.CASCADE,
        related_name="scan_days",
        verbose_name=_("địa điểm"),
    )
    day = models.DateField(_("ngày"))
    count = models.PositiveIntegerField(_("lượt quét"), default=0)

    class Meta:
        verbose_name = _("lượt quét bảng QR")
        verbose_name_plural = _("lượt quét bảng QR")
        constraints = [
            models.UniqueConstraint(fields=["place", "day"], name="place_scan_day")
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.day}: {self.count}"
