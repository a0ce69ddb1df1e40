"""Catalogue models: sellers, store and product pages, variants, stock and
certifications. Orders live in market.checkout, payments in market.payments,
post-office partners in market.fulfilment.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.private_files import RandomName, private_storage

from . import places
from .fields import GtinField
from .identifiers import (
    bank_account_name_validator,
    gtin_compact,
    gtin_validator,
    tax_code_validator,
)
from .page_cache import ALL_PRODUCTS, CATALOGUE, CachedPageMixin, product_tag
from .slugs import VietnameseSlugMixin


class SellerKind(models.TextChoices):
    HOUSEHOLD = "household", _("Hộ kinh doanh")
    COOPERATIVE = "cooperative", _("Hợp tác xã")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")


class OcopCategory(models.TextChoices):
    """The six OCOP product groups of Decision 148/QĐ-TTg."""

    FOOD = "thuc-pham", _("Thực phẩm")
    DRINK = "do-uong", _("Đồ uống")
    HERBAL = "thao-duoc", _("Thảo dược")
    TEXTILE = "vai-may-mac", _("Vải và may mặc")
    SOUVENIR = "luu-niem", _("Lưu niệm, nội thất, trang trí")
    TOURISM = "dich-vu-du-lich", _("Dịch vụ du lịch cộng đồng và điểm du lịch")


class Address(models.Model):
    """Province + ward codes of the two-level administration, plus a street."""

    province_code = models.PositiveIntegerField(_("tỉnh / thành phố"))
    ward_code = models.PositiveIntegerField(_("phường / xã"), null=True, blank=True)
    address_line = models.CharField(
        _("số nhà, thôn, đường"), max_length=200, blank=True
    )

    class Meta:
        abstract = True

    @property
    def province_name(self) -> str:
        return places.province_name(self.province_code)

    @property
    def ward_name(self) -> str:
        return places.ward_name(self.ward_code)

    def clean(self):
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


class Seller(Address):
    """A household, cooperative or enterprise selling on the market."""

    kind = models.CharField(_("loại hình"), max_length=20, choices=SellerKind.choices)
    legal_name = models.CharField(_("tên đăng ký"), max_length=200)
    tax_code = models.CharField(
        _("mã số thuế"), max_length=14, unique=True, validators=[tax_code_validator]
    )
    phone = models.CharField(_("số điện thoại"), max_length=15)
    email = models.EmailField(_("e-mail"), blank=True)
    bank_bin = models.CharField(_("mã ngân hàng (BIN)"), max_length=6, blank=True)
    bank_account_number = models.CharField(_("số tài khoản"), max_length=19, blank=True)
    bank_account_name = models.CharField(
        _("chủ tài khoản"),
        max_length=100,
        blank=True,
        validators=[bank_account_name_validator],
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="sellers",
        blank=True,
        verbose_name=_("tài khoản đăng nhập"),
    )
    group = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("nhóm quyền"),
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("bộ sưu tập ảnh"),
    )
    is_active = models.BooleanField(_("đang bán"), default=True)
    declares_own_tax = models.BooleanField(
        _("tự kê khai thuế"),
        default=False,
        help_text=_(
            "Hợp tác xã hoặc doanh nghiệp tự kê khai, nộp thuế: sàn không khấu "
            "trừ thuế khi bán hàng. Hộ kinh doanh luôn được sàn khấu trừ."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

    class Meta:
        verbose_name = _("người bán")
        verbose_name_plural = _("người bán")
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.legal_name


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Bị từ chối")


class SellerApplication(Address):
    """A request to open a store, reviewed by the operator."""

    kind = models.CharField(_("loại hình"), max_length=20, choices=SellerKind.choices)
    legal_name = models.CharField(_("tên đăng ký"), max_length=200)
    tax_code = models.CharField(
        _("mã số thuế"), max_length=14, validators=[tax_code_validator]
    )
    contact_name = models.CharField(_("người liên hệ"), max_length=100)
    phone = models.CharField(_("số điện thoại"), max_length=15)
    email = models.EmailField(_("e-mail"), blank=True)
    bank_bin = models.CharField(_("ngân hàng"), max_length=6)
    bank_account_number = models.CharField(_("số tài khoản"), max_length=19)
    bank_account_name = models.CharField(
        _("chủ tài khoản"), max_length=100, validators=[bank_account_name_validator]
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    rejection_reason = models.TextField(_("lý do từ chối"), blank=True)
    # Secret for the applicant's status page (no account needed).
    access_token = models.CharField(
        max_length=43, unique=True, editable=False, verbose_name=_("mã xem đơn đăng ký")
    )
    seller = models.OneToOneField(
        Seller,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người bán"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người duyệt"),
    )
    reviewed_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("nộp lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đơn đăng ký bán hàng")
        verbose_name_plural = _("đơn đăng ký bán hàng")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.tax_code})"


class MarketIndexPage(CachedPageMixin, VietnameseSlugMixin, Page):
    """The market: lists every live product, with filters."""

    intro = RichTextField(
        _("giới thiệu"), blank=True, features=["bold", "italic", "link"]
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["market.StorePage"]
    max_count = 1

    class Meta:
        verbose_name = _("trang chợ")

    def page_cache_tags(self) -> set[str]:
        return {CATALOGUE}

    def get_context(self, request, *args, **kwargs):
        from market.browse import market_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(market_index_context(request=request))
        return context


class StorePage(CachedPageMixin, VietnameseSlugMixin, Page):
    """One seller's store; its subtree is the seller's own corner of the site."""

    seller = models.OneToOneField(
        Seller,
        on_delete=models.PROTECT,
        related_name="store_page",
        verbose_name=_("người bán"),
    )
    intro = RichTextField(
        _("giới thiệu cửa hàng"), blank=True, features=["bold", "italic", "link", "ul"]
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ảnh cửa hàng"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("image")]
    parent_page_types = ["market.MarketIndexPage"]
    subpage_types = ["market.ProductPage"]

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.FilterField("seller"),
    ]

    class Meta:
        verbose_name = _("cửa hàng")

    def page_cache_tags(self) -> set[str]:
        return {CATALOGUE}

    def get_context(self, request, *args, **kwargs):
        from market.browse import store_context

        context = super().get_context(request, *args, **kwargs)
        context.update(store_context(page=self, request=request))
        return context


class ProductPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        # A product always belongs to the seller of the store it is created in.
        store = getattr(self.parent_page, "specific", None)
        if self.instance.seller_id is None and isinstance(store, StorePage):
            self.instance.seller = store.seller
        return cleaned


class ProductPage(CachedPageMixin, VietnameseSlugMixin, Page):
    """A product with its variants. Summary fields (price_min, ocop_stars, …)
    are kept by `market.services.product_refresh_summary` for fast filtering."""

    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        related_name="products",
        editable=False,
        verbose_name=_("người bán"),
    )
    description = RichTextField(
        _("mô tả"), blank=True, features=["bold", "italic", "ul", "ol", "link"]
    )
    category = models.CharField(
        _("nhóm OCOP"), max_length=20, choices=OcopCategory.choices
    )
    unit = models.CharField(
        _("đơn vị bán"), max_length=30, help_text=_("chai, kg, gói, hộp…")
    )

    # Derived summary, refreshed by services (never edited by hand).
    province_code = models.PositiveIntegerField(
        null=True, editable=False, db_index=True, verbose_name=_("tỉnh / thành phố")
    )
    price_min = models.PositiveBigIntegerField(
        null=True, editable=False, db_index=True, verbose_name=_("giá thấp nhất")
    )
    ocop_stars = models.PositiveSmallIntegerField(
        null=True, editable=False, db_index=True, verbose_name=_("số sao OCOP")
    )
    has_vietgap = models.BooleanField(
        default=False, editable=False, db_index=True, verbose_name=_("có VietGAP")
    )
    in_stock = models.BooleanField(
        default=False, editable=False, db_index=True, verbose_name=_("còn hàng")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("category"),
        FieldPanel("unit"),
        FieldPanel("description"),
        InlinePanel("images", label=_("Ảnh sản phẩm"), max_num=8),
        InlinePanel("variants", label=_("Loại hàng (quy cách, giá)"), min_num=1),
    ]
    parent_page_types = ["market.StorePage"]
    subpage_types: list[str] = []
    base_form_class = ProductPageForm

    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.AutocompleteField("title"),
        index.RelatedFields(
            "seller",
            [index.SearchField("legal_name"), index.AutocompleteField("legal_name")],
        ),
        index.RelatedFields(
            "variants",
            [
                index.SearchField("label"),
                index.SearchField("sku"),
                index.SearchField("gtin"),
            ],
        ),
        index.RelatedFields("certifications", [index.SearchField("number")]),
        # Where it comes from, weighted below the product's own words.
        index.SearchField("search_places", boost=0.3),
        index.FilterField("seller"),
        index.FilterField("category"),
        index.FilterField("province_code"),
        index.FilterField("price_min"),
        index.FilterField("ocop_stars"),
        index.FilterField("has_vietgap"),
        index.FilterField("in_stock"),
    ]

    class Meta:
        verbose_name = _("sản phẩm")
        verbose_name_plural = _("sản phẩm")

    def search_places(self) -> str:
        """The seller's ward and province, as search text."""
        seller = self.seller
        return places.place_names(
            province_code=seller.province_code, ward_code=seller.ward_code
        )

    def page_cache_tags(self) -> set[str]:
        return {ALL_PRODUCTS, product_tag(self.pk)}

    def get_context(self, request, *args, **kwargs):
        from market.browse import product_context

        context = super().get_context(request, *args, **kwargs)
        context.update(product_context(page=self, request=request))
        return context

    SUMMARY_FIELDS = (
        "province_code",
        "price_min",
        "ocop_stars",
        "has_vietgap",
        "in_stock",
    )

    def with_content_json(self, content):
        # The summary fields are derived state kept by services, not content:
        # publishing an older revision (moderation approval) must not bring
        # back the values it was saved with.
        page = super().with_content_json(content)
        for field in self.SUMMARY_FIELDS:
            setattr(page, field, getattr(self, field))
        return page


class ProductImage(Orderable):
    product = ParentalKey(
        ProductPage,
        on_delete=models.CASCADE,
        related_name="images",
        verbose_name=_("sản phẩm"),
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
        blank=True,
        help_text=_("Ảnh chụp gì, cho người không nhìn thấy ảnh."),
    )

    panels = [FieldPanel("image"), FieldPanel("alt_text")]

    class Meta:
        verbose_name = _("ảnh sản phẩm")
        verbose_name_plural = _("ảnh sản phẩm")


class Variant(Orderable):
    """One sellable form of a product (size, packaging) with its own price.

    Stock is kept in `Stock`, outside the page's revisions, so publishing an
    old draft can never overwrite what checkout has allocated.
    """

    product = ParentalKey(
        ProductPage,
        on_delete=models.CASCADE,
        related_name="variants",
        verbose_name=_("sản phẩm"),
    )
    label = models.CharField(
        _("quy cách"), max_length=60, help_text=_("Ví dụ: 500 g, 1 kg, hộp 6 chai")
    )
    sku = models.CharField(_("mã hàng (SKU)"), max_length=40, unique=True)
    # Stored as 14 digits (a GTIN-13 gets a leading 0), unique across all
    # sellers: the printed QR codes name a lot by GTIN + lot code.
    gtin = GtinField(
        _("mã vạch GTIN"),
        max_length=14,
        unique=True,
        null=True,
        blank=True,
        validators=[gtin_validator],
        help_text=_(
            "13 hoặc 14 chữ số in dưới mã vạch. Bỏ trống nếu chưa có. "
            "Mã 13 số được lưu thêm số 0 ở đầu."
        ),
        error_messages={
            "unique": _(
                "Mã vạch GTIN này đã thuộc về một loại hàng khác. Mỗi mã vạch "
                "chỉ của một sản phẩm: hãy xem lại mã in trên bao bì."
            )
        },
    )
    weight_g = models.PositiveIntegerField(_("khối lượng (gam)"), default=0)
    price_vnd = models.PositiveBigIntegerField(
        _("giá (đồng)"), validators=[MinValueValidator(1000), MaxValueValidator(10**11)]
    )
    is_active = models.BooleanField(_("đang bán"), default=True)

    panels = [
        FieldPanel("label"),
        FieldPanel("price_vnd"),
        FieldPanel("weight_g"),
        MultiFieldPanel([FieldPanel("sku"), FieldPanel("gtin")], heading=_("Mã hàng")),
        FieldPanel("is_active"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("loại hàng")
        verbose_name_plural = _("loại hàng")

    def __str__(self) -> str:
        return f"{self.product.title} – {self.label}"

    @property
    def gtin_printed(self) -> str | None:
        """The GTIN as printed under the bar code (GTIN-13 without its 0)."""
        return gtin_compact(self.gtin)


class Stock(models.Model):
    """Units on hand and units held by unpaid or unshipped orders.

    Allocated never exceeds on hand and neither goes below zero: the database
    enforces it, so a bug in checkout cannot oversell."""

    variant = models.OneToOneField(
        Variant,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stock",
        verbose_name=_("loại hàng"),
    )
    on_hand = models.PositiveIntegerField(_("tồn kho"), default=0)
    allocated = models.PositiveIntegerField(_("đang giữ cho đơn"), default=0)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("sửa lúc"))

    class Meta:
        verbose_name = _("tồn kho")
        verbose_name_plural = _("tồn kho")
        constraints = [
            models.CheckConstraint(
                condition=Q(on_hand__gte=0) & Q(allocated__gte=0),
                name="stock_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("on_hand")),
                name="stock_allocated_within_on_hand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.on_hand} ({self.allocated} held)"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class CertificationKind(models.TextChoices):
    OCOP = "ocop", _("OCOP")
    VIETGAP = "vietgap", _("VietGAP")
    ORGANIC = "organic", _("Hữu cơ")
    OTHER = "other", _("Khác")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Bị từ chối")


class OcopLevel(models.TextChoices):
    DISTRICT = "district", _("Cấp huyện (cũ)")
    PROVINCE = "province", _("Cấp tỉnh")
    NATIONAL = "national", _("Cấp quốc gia")


OCOP_VALIDITY_MONTHS = 36


class Certification(models.Model):
    """An OCOP rating, VietGAP certificate or other proof, reviewed by the
    operator. It shows as a badge only while approved and in date."""

    seller = models.ForeignKey(
        Seller,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("người bán"),
    )
    product = models.ForeignKey(
        ProductPage,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("sản phẩm"),
        help_text=_("Bỏ trống nếu chứng nhận áp dụng cho cả cửa hàng."),
    )
    kind = models.CharField(
        _("loại chứng nhận"), max_length=10, choices=CertificationKind.choices
    )
    number = models.CharField(_("số chứng nhận"), max_length=60)
    issuer = models.CharField(_("nơi cấp"), max_length=200, blank=True)
    ocop_level = models.CharField(
        _("cấp đánh giá OCOP"), max_length=10, choices=OcopLevel.choices, blank=True
    )
    stars = models.PositiveSmallIntegerField(
        _("số sao OCOP"),
        null=True,
        blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(5)],
    )
    scope = models.CharField(_("phạm vi"), max_length=200, blank=True)
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    valid_until = models.DateField(_("có hiệu lực đến"), null=True, blank=True)
    # Private storage, random name: a scan carries the farmer's name and
    # address, so it is never at a public URL (cms/private_files.py); the
    # seller's staff and the operator open it through `certification_scan`.
    scan = models.FileField(
        _("bản chụp giấy chứng nhận"),
        upload_to=RandomName("certificates/%Y/%m/"),
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    status = models.CharField(
        _("duyệt"),
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
    )
    review_note = models.TextField(_("ghi chú khi duyệt"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người duyệt"),
    )
    reviewed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("duyệt lúc")
    )
    expiry_notified_on = models.DateField(
        null=True, blank=True, editable=False, verbose_name=_("đã báo sắp hết hạn ngày")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("ngày tạo"))

    class Meta:
        verbose_name = _("chứng nhận")
        verbose_name_plural = _("chứng nhận")
        ordering = ["-valid_until"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "kind", "number"], name="certification_unique_number"
            ),
            models.CheckConstraint(
                condition=~Q(kind="ocop") | Q(stars__gte=3, stars__lte=5),
                name="certification_ocop_has_stars",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self):
        super().clean()
        if self.kind == CertificationKind.OCOP:
            if not self.stars:
                raise ValidationError(
                    {"stars": _("Sản phẩm OCOP cần có số sao (3, 4 hoặc 5).")}
                )
            if self.issued_on and not self.valid_until:
                self.valid_until = ocop_valid_until(self.issued_on)
        if self.issued_on and self.valid_until and self.valid_until < self.issued_on:
            raise ValidationError(
                {"valid_until": _("Ngày hết hạn phải sau ngày cấp. Hãy kiểm tra lại.")}
            )

    def is_valid_on(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.status == ReviewStatus.APPROVED and (
            self.valid_until is None or self.valid_until >= day
        )

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()


def ocop_valid_until(issued_on: dt.date) -> dt.date:
    """OCOP certificates are valid for 36 months from issue."""
    month = issued_on.month - 1 + OCOP_VALIDITY_MONTHS
    year = issued_on.year + month // 12
    month = month % 12 + 1
    day = min(issued_on.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return dt.date(year, month, day) - dt.timedelta(days=1)
