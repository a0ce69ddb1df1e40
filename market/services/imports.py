"""The catalogue CSV import: parse → validate every row → plan → apply.

One row per variant (columns in docs/catalogue.md). Sellers are keyed by tax
code, products by seller + product name, variants by GTIN, or by SKU when the
row has no GTIN. The rules this module keeps:

- A file with any error writes nothing; every bad row is reported with its
  line number and a reason in Vietnamese.
- Importing the same file twice leaves the same data; the second run plans
  zero changes.
- An import only adds and updates: rows missing from a file delete nothing.
- An operator import (`approve_certifications=True`) records the file's OCOP
  and VietGAP certificates as approved by that operator; a farmer's upload
  leaves new or changed certificates pending review.
- A farmer import (`only_seller=...`) touches that seller only; rows with
  another tax code are errors. Its new products are created as drafts for
  the farmer to submit through moderation.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst
from wagtail.models import Page

from market import places
from market.identifiers import gtin_validator
from market.models import (
    Certification,
    CertificationKind,
    OcopCategory,
    ProductPage,
    ReviewStatus,
    Seller,
    SellerKind,
    Stock,
    StorePage,
    Variant,
    ocop_valid_until,
)
from market.services.catalogue import product_refresh_summaries
from market.services.sellers import seller_provision

REQUIRED_COLUMNS = (
    "seller_name",
    "seller_kind",
    "tax_code",
    "phone",
    "province",
    "ward",
    "product_name",
    "category",
    "description",
    "unit",
    "variant",
    "weight_g",
    "price_vnd",
    "stock",
    "gtin",
)
OPTIONAL_COLUMNS = (
    "sku",
    "ocop_stars",
    "ocop_certificate",
    "ocop_issued_on",
    "vietgap_certificate",
    "vietgap_valid_until",
    "farm_name",
    "farm_lat",
    "farm_lng",
)
PRICE_MIN, PRICE_MAX = 1000, 10**11
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_BATCH = 500


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Dòng %(line)s: %(message)s") % {
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True)
class SellerData:
    tax_code: str
    legal_name: str
    kind: str
    phone: str
    province_code: int
    ward_code: int | None


@dataclass(frozen=True)
class CertData:
    kind: str
    number: str
    stars: int | None
    issued_on: dt.date | None
    valid_until: dt.date | None


@dataclass(frozen=True)
class FarmData:
    """Kept for traceability, which owns farms; the catalogue ignores it."""

    name: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class ProductData:
    name: str
    category: str
    description: str
    unit: str
    certifications: tuple[CertData, ...]


@dataclass(frozen=True)
class VariantData:
    label: str
    weight_g: int
    price_vnd: int
    stock: int
    gtin: str | None
    sku: str
    sku_given: bool


@dataclass(frozen=True)
class CatalogueRow:
    line: int
    seller: SellerData
    product: ProductData
    variant: VariantData
    farm: FarmData | None

    @property
    def product_key(self) -> tuple[str, str]:
        return (self.seller.tax_code, self.product.name)


@dataclass
class NewProduct:
    key: tuple[str, str]
    data: ProductData
    page_id: int | None = None


@dataclass
class ImportPlan:
    """What applying the file would change; empty lists mean nothing to do."""

    rows: list[CatalogueRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Rows imported with a caveat (an unknown ward left empty).
    warnings: list[RowError] = field(default_factory=list)
    new_sellers: list[Seller] = field(default_factory=list)
    changed_sellers: list[Seller] = field(default_factory=list)
    new_products: dict[tuple[str, str], NewProduct] = field(default_factory=dict)
    changed_products: list[ProductPage] = field(default_factory=list)
    new_variants: list[tuple[tuple[str, str], Variant, int]] = field(
        default_factory=list
    )
    changed_variants: list[Variant] = field(default_factory=list)
    stock_changes: dict[int, int] = field(default_factory=dict)
    new_certifications: list[tuple[tuple[str, str], Certification]] = field(
        default_factory=list
    )
    changed_certifications: list[Certification] = field(default_factory=list)
    touched_product_ids: set[int] = field(default_factory=set)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "new_sellers": len(self.new_sellers),
            "changed_sellers": len(self.changed_sellers),
            "new_products": len(self.new_products),
            "changed_products": len(self.changed_products),
            "new_variants": len(self.new_variants),
            "changed_variants": len(self.changed_variants),
            "stock_changes": len(self.stock_changes),
            "new_certifications": len(self.new_certifications),
            "changed_certifications": len(self.changed_certifications),
        }

    @property
    def change_count(self) -> int:
        counts = self.counts
        counts.pop("rows")
        return sum(counts.values())


# --- parse and validate one row --------------------------------------------


def _int(value: str, *, label: str, low: int, high: int, errors: list[str]) -> int:
    text = value.strip().replace(" ", "")
    if _GROUPED.match(text):  # "60.000": Vietnamese thousands separators
        text = text.replace(".", "")
    try:
        number = int(text)
    except ValueError:
        errors.append(_("%(label)s «%(value)s» phải là số nguyên.") % {
            "label": label, "value": value})
        return 0
    if not low <= number <= high:
        errors.append(
            _("%(label)s phải từ %(low)s đến %(high)s (đang là %(value)s).")
            % {"label": label, "low": low, "high": high, "value": number}
        )
    return number


def _date(value: str, *, label: str, errors: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors.append(
            _("%(label)s «%(value)s» phải là ngày dạng NNNN-TT-NN, ví dụ 2025-06-30.")
            % {"label": label, "value": value}
        )
        return None


def _text(row: dict, column: str, *, label: str, limit: int, errors: list[str]) -> str:
    value = places.clean_name(row.get(column) or "")
    if not value:
        errors.append(_("Thiếu %(label)s.") % {"label": label})
    elif len(value) > limit:
        errors.append(
            _("%(label)s dài quá %(limit)s ký tự.") % {"label": label, "limit": limit}
        )
    return value


def _parse_seller(row: dict, errors: list[str], warnings: list[str]) -> SellerData:
    raw_tax = (row.get("tax_code") or "").strip()
    try:
        tax_code = mst.validate(raw_tax)
    except StdnumError:
        tax_code = raw_tax
        errors.append(
            _("Mã số thuế «%(value)s» không đúng (cần 10 chữ số với số kiểm tra đúng).")
            % {"value": raw_tax}
        )
    kind = (row.get("seller_kind") or "").strip()
    if kind not in SellerKind.values:
        errors.append(
            _("Loại hình «%(value)s» không đúng; dùng household, cooperative hoặc "
              "enterprise.") % {"value": kind}
        )
    phone = "".join(ch for ch in row.get("phone") or "" if ch.isdigit())
    if not (phone.startswith("0") and len(phone) == 10):
        errors.append(_("Số điện thoại cần 10 chữ số, bắt đầu bằng số 0."))
    province_name = row.get("province") or ""
    province_code = places.find_province(province_name)
    ward_code = None
    if province_code is None:
        errors.append(
            _("Không tìm thấy tỉnh/thành phố «%(value)s». Ghi tên đầy đủ theo danh "
              "mục 34 tỉnh, thành, ví dụ «Thành phố Đà Nẵng».") % {"value": province_name}
        )
    elif (row.get("ward") or "").strip():
        ward_code = places.find_ward(province_code=province_code, name=row["ward"])
        if ward_code is None:
            # Old (pre-merger) commune names are still printed on labels and
            # in spreadsheets; keep the row, leave the ward for the admin.
            warnings.append(
                _("Không tìm thấy phường/xã «%(ward)s» trong %(province)s (có thể là "
                  "tên cũ trước khi sáp nhập); để trống phường/xã, hãy chọn lại "
                  "trong trang quản trị.")
                % {"ward": row["ward"], "province": province_name}
            )
    return SellerData(
        tax_code=tax_code,
        legal_name=_text(row, "seller_name", label=_("tên người bán"), limit=200,
                         errors=errors),
        kind=kind,
        phone=phone,
        province_code=province_code or 0,
        ward_code=ward_code,
    )


def _parse_ocop(row: dict, errors: list[str]) -> CertData | None:
    stars_text = (row.get("ocop_stars") or "").strip()
    number = (row.get("ocop_certificate") or "").strip()
    issued_text = (row.get("ocop_issued_on") or "").strip()
    if not (stars_text or number or issued_text):
        return None
    if not (stars_text and number and issued_text):
        errors.append(
            _("Sản phẩm OCOP cần đủ ba cột: số sao, số giấy chứng nhận và ngày cấp.")
        )
        return None
    stars = _int(stars_text, label=_("Số sao OCOP"), low=3, high=5, errors=errors)
    issued_on = _date(issued_text, label=_("Ngày cấp OCOP"), errors=errors)
    valid_until = ocop_valid_until(issued_on) if issued_on else None
    return CertData(CertificationKind.OCOP, number[:60], stars, issued_on, valid_until)


def _parse_vietgap(row: dict, errors: list[str]) -> CertData | None:
    number = (row.get("vietgap_certificate") or "").strip()
    until_text = (row.get("vietgap_valid_until") or "").strip()
    if not (number or until_text):
        return None
    if not (number and until_text):
        errors.append(_("Chứng nhận VietGAP cần cả số giấy và ngày hết hạn."))
        return None
    valid_until = _date(until_text, label=_("Ngày hết hạn VietGAP"), errors=errors)
    return CertData(CertificationKind.VIETGAP, number[:60], None, None, valid_until)


def _parse_product(row: dict, errors: list[str]) -> ProductData:
    category = (row.get("category") or "").strip()
    if category not in OcopCategory.values:
        errors.append(
            _("Nhóm sản phẩm «%(value)s» không đúng; dùng một trong: %(choices)s.")
            % {"value": category, "choices": ", ".join(OcopCategory.values)}
        )
    certifications = tuple(
        cert for cert in (_parse_ocop(row, errors), _parse_vietgap(row, errors)) if cert
    )
    return ProductData(
        name=_text(row, "product_name", label=_("tên sản phẩm"), limit=255,
                   errors=errors),
        category=category,
        description=(row.get("description") or "").strip(),
        unit=_text(row, "unit", label=_("đơn vị bán"), limit=30, errors=errors),
        certifications=certifications,
    )


def variant_default_sku(*, gtin: str | None, tax_code: str, product: str, label: str
                        ) -> str:
    """A SKU for a row that has none: the GTIN when there is one, otherwise a
    short hash of seller, product and variant, so re-imports find it again."""
    if gtin:
        return f"G{gtin}"
    digest = hashlib.sha256(f"{tax_code}|{product}|{label}".encode()).hexdigest()
    return f"NQ-{digest[:12].upper()}"


def _parse_variant(row: dict, seller: SellerData, product_name: str,
                   errors: list[str]) -> VariantData:
    gtin = (row.get("gtin") or "").strip() or None
    if gtin:
        try:
            gtin_validator(gtin)
        except ValidationError as exc:
            errors.append(
                _("Mã GTIN «%(value)s»: %(reason)s")
                % {"value": gtin, "reason": exc.messages[0]}
            )
    label = _text(row, "variant", label=_("quy cách"), limit=60, errors=errors)
    sku = (row.get("sku") or "").strip()
    if len(sku) > 40:
        errors.append(_("Mã hàng (SKU) dài quá 40 ký tự."))
    return VariantData(
        label=label,
        weight_g=_int(row.get("weight_g") or "0", label=_("Khối lượng (gam)"),
                      low=0, high=10**7, errors=errors),
        price_vnd=_int(row.get("price_vnd") or "", label=_("Giá (đồng)"),
                       low=PRICE_MIN, high=PRICE_MAX, errors=errors),
        stock=_int(row.get("stock") or "0", label=_("Tồn kho"), low=0,
                   high=10**9, errors=errors),
        gtin=gtin,
        sku=sku or variant_default_sku(gtin=gtin, tax_code=seller.tax_code,
                                       product=product_name, label=label),
        sku_given=bool(sku),
    )


def _parse_farm(row: dict, errors: list[str]) -> FarmData | None:
    name = places.clean_name(row.get("farm_name") or "")
    if not name:
        return None
    coords = []
    for column, bound in (("farm_lat", 90), ("farm_lng", 180)):
        text = (row.get(column) or "").strip()
        try:
            value = float(text) if text else None
        except ValueError:
            value = None
            errors.append(_("Tọa độ «%(value)s» phải là số thập phân.") % {
                "value": text})
        if value is not None and not -bound <= value <= bound:
            errors.append(_("Tọa độ «%(value)s» nằm ngoài phạm vi.") % {"value": text})
        coords.append(value)
    return FarmData(name=name, lat=coords[0], lng=coords[1])


def catalogue_row_parse(
    *, line: int, row: dict
) -> tuple[CatalogueRow | None, list[str], list[str]]:
    """Validate one CSV row on its own: (row or None, errors, warnings)."""
    errors: list[str] = []
    warnings: list[str] = []
    seller = _parse_seller(row, errors, warnings)
    product = _parse_product(row, errors)
    variant = _parse_variant(row, seller, product.name, errors)
    farm = _parse_farm(row, errors)
    if errors:
        return None, errors, warnings
    return CatalogueRow(line, seller, product, variant, farm), [], warnings


def catalogue_read(*, stream: TextIO) -> Iterator[tuple[int, dict]]:
    """(line number, row dict) for every data row; checks the header first.

    Line numbers are the file's own (the header is line 1), so a farmer can
    find the row in a spreadsheet.
    """
    reader = csv.DictReader(stream)
    try:
        header = [name.strip().lstrip("\ufeff") for name in (reader.fieldnames or [])]
    except UnicodeDecodeError:
        raise ImportFileError(
            _("Tệp không phải văn bản UTF-8. Trong Excel hãy chọn «Lưu thành» → "
              "«CSV UTF-8».")
        ) from None
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            _("Dòng 1 (tiêu đề) thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    reader.fieldnames = header
    try:
        for row in reader:
            yield reader.line_num, row
    except UnicodeDecodeError:
        raise ImportFileError(
            _("Tệp có ký tự không phải UTF-8 sau dòng %(line)s. Hãy lưu lại thành "
              "«CSV UTF-8».") % {"line": reader.line_num}
        ) from None
    except csv.Error as exc:
        raise ImportFileError(
            _("Dòng %(line)s: tệp CSV bị hỏng (%(reason)s).")
            % {"line": reader.line_num, "reason": exc}
        ) from None


def catalogue_parse(
    *, stream: TextIO, progress: Callable[[Iterable], Iterable] | None = None
) -> tuple[list[CatalogueRow], list[RowError], list[RowError]]:
    """Validate every row of the file on its own (no database access).
    Returns (valid rows, errors, warnings)."""
    rows: list[CatalogueRow] = []
    errors: list[RowError] = []
    warnings: list[RowError] = []
    records: Iterable = catalogue_read(stream=stream)
    if progress is not None:
        records = progress(records)
    for line, record in records:
        row, messages, notes = catalogue_row_parse(line=line, row=record)
        warnings.extend(RowError(line, note) for note in notes)
        if row is None:
            errors.extend(RowError(line, message) for message in messages)
        else:
            rows.append(row)
    if not rows and not errors:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return rows, errors, warnings


# --- cross-row checks ------------------------------------------------------


def _check_consistency(rows: list[CatalogueRow]) -> tuple[list[CatalogueRow],
                                                          list[RowError]]:
    """Rows about the same seller, product or certificate must agree, and a
    GTIN or SKU may appear once. The first row wins; later ones are errors."""
    errors: list[RowError] = []
    kept: list[CatalogueRow] = []
    sellers: dict[str, tuple[int, SellerData]] = {}
    products: dict[tuple[str, str], tuple[int, ProductData]] = {}
    certificates: dict[tuple[str, str, str], tuple[int, tuple[str, str]]] = {}
    gtins: dict[str, int] = {}
    skus: dict[str, int] = {}
    for row in rows:
        problems = []
        first = sellers.setdefault(row.seller.tax_code, (row.line, row.seller))
        if first[1] != row.seller:
            problems.append(
                _("thông tin người bán khác với dòng %(line)s có cùng mã số thuế.")
                % {"line": first[0]}
            )
        first_product = products.setdefault(row.product_key, (row.line, row.product))
        if first_product[1] != row.product:
            problems.append(
                _("thông tin sản phẩm «%(name)s» (nhóm, mô tả, đơn vị, chứng nhận) "
                  "khác với dòng %(line)s.") % {"name": row.product.name,
                                              "line": first_product[0]}
            )
        for cert in row.product.certifications:
            key = (row.seller.tax_code, cert.kind, cert.number)
            seen = certificates.setdefault(key, (row.line, row.product_key))
            if seen[1] != row.product_key:
                problems.append(
                    _("số chứng nhận %(number)s đã dùng cho sản phẩm khác ở dòng "
                      "%(line)s; mỗi sản phẩm cần số chứng nhận riêng.")
                    % {"number": cert.number, "line": seen[0]}
                )
        if row.variant.gtin:
            seen_line = gtins.setdefault(row.variant.gtin, row.line)
            if seen_line != row.line:
                problems.append(_("mã GTIN %(gtin)s đã có ở dòng %(line)s.") % {
                    "gtin": row.variant.gtin, "line": seen_line})
        seen_line = skus.setdefault(row.variant.sku, row.line)
        if seen_line != row.line:
            problems.append(_("mã hàng (SKU) %(sku)s đã có ở dòng %(line)s.") % {
                "sku": row.variant.sku, "line": seen_line})
        errors.extend(RowError(row.line, problem[0].upper() + problem[1:])
                      for problem in problems)
        if not problems:
            kept.append(row)
    return kept, errors


# --- plan against the database ---------------------------------------------


def _description_html(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>" if text else ""


def _chunks(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Planner:
    def __init__(self, *, rows, only_seller, approve_certifications, user):
        self.rows = rows
        self.only_seller = only_seller
        self.approve = approve_certifications
        self.user = user
        self.plan = ImportPlan(rows=rows)
        self.now = timezone.now()

    def run(self) -> ImportPlan:
        rows = self._check_owner(self.rows)
        rows, errors = _check_consistency(rows)
        self.plan.errors.extend(errors)
        self._load(rows)
        for row in rows:
            self._plan_row(row)
        self.plan.errors.sort(key=lambda error: error.line)
        return self.plan

    def _check_owner(self, rows):
        if self.only_seller is None:
            return rows
        kept = []
        for row in rows:
            if row.seller.tax_code != self.only_seller.tax_code:
                self.plan.errors.append(RowError(row.line, _(
                    "Mã số thuế %(tax)s không phải của cửa hàng bạn (%(own)s). Bạn "
                    "chỉ nhập được hàng của cửa hàng mình.") % {
                        "tax": row.seller.tax_code, "own": self.only_seller.tax_code}))
            else:
                kept.append(row)
        return kept

    def _load(self, rows):
        tax_codes = sorted({row.seller.tax_code for row in rows})
        self.sellers = {}
        for chunk in _chunks(tax_codes):
            self.sellers.update(
                (s.tax_code, s) for s in Seller.objects.filter(tax_code__in=chunk))
        seller_ids = [seller.pk for seller in self.sellers.values()]
        self.products = {}
        for chunk in _chunks(seller_ids):
            for product in ProductPage.objects.filter(seller_id__in=chunk).only(
                "pk", "title", "seller_id", "category", "description", "unit",
                "seller__tax_code",
            ).select_related("seller"):
                self.products[(product.seller.tax_code, product.title)] = product
        self.variants_by_gtin, self.variants_by_sku = {}, {}
        gtins = sorted({row.variant.gtin for row in rows if row.variant.gtin})
        skus = sorted({row.variant.sku for row in rows})
        for values, lookup in ((gtins, "gtin__in"), (skus, "sku__in")):
            for chunk in _chunks(values):
                for variant in Variant.objects.filter(**{lookup: chunk}).select_related(
                    "stock"
                ):
                    if variant.gtin:
                        self.variants_by_gtin[variant.gtin] = variant
                    self.variants_by_sku[variant.sku] = variant
        self.certifications = {}
        for chunk in _chunks(seller_ids):
            for cert in Certification.objects.filter(
                seller_id__in=chunk,
                kind__in=[CertificationKind.OCOP, CertificationKind.VIETGAP],
            ):
                self.certifications[(cert.seller_id, cert.kind, cert.number)] = cert
        self.planned_sellers: dict[str, Seller] = {}
        self.planned_products: set[tuple[str, str]] = set()

    def _error(self, row, message):
        self.plan.errors.append(RowError(row.line, message))

    def _plan_row(self, row: CatalogueRow) -> None:
        seller = self._plan_seller(row)
        product = self._plan_product(row, seller)
        if product is False:
            return
        self._plan_variant(row, product)

    def _plan_seller(self, row) -> Seller:
        data = row.seller
        if data.tax_code in self.planned_sellers:
            return self.planned_sellers[data.tax_code]
        seller = self.sellers.get(data.tax_code)
        fields = {
            "legal_name": data.legal_name,
            "kind": data.kind,
            "phone": data.phone,
            "province_code": data.province_code,
            "ward_code": data.ward_code,
        }
        if seller is None:
            seller = Seller(tax_code=data.tax_code, **fields)
            self.plan.new_sellers.append(seller)
        elif self.only_seller is None and any(
            getattr(seller, name) != value for name, value in fields.items()
        ):
            for name, value in fields.items():
                setattr(seller, name, value)
            self.plan.changed_sellers.append(seller)
        self.planned_sellers[data.tax_code] = seller
        return seller

    def _plan_product(self, row, seller) -> ProductPage | tuple | bool:
        """The existing product, the key of a planned new one, or False when
        the row cannot be planned."""
        key = row.product_key
        product = self.products.get(key)
        if key in self.planned_products:
            return product if product is not None else key
        self.planned_products.add(key)
        data = row.product
        if product is None:
            self.plan.new_products[key] = NewProduct(key=key, data=data)
            for cert in data.certifications:
                self._plan_certification(row, seller, None, key, cert)
            return key
        wanted = {
            "category": data.category,
            "description": _description_html(data.description),
            "unit": data.unit,
        }
        if any(getattr(product, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(product, name, value)
            self.plan.changed_products.append(product)
            self.plan.touched_product_ids.add(product.pk)
        for cert in data.certifications:
            self._plan_certification(row, seller, product, key, cert)
        return product

    def _plan_certification(self, row, seller, product, key, data: CertData):
        existing = self.certifications.get((seller.pk, data.kind, data.number))
        status = ReviewStatus.APPROVED if self.approve else ReviewStatus.PENDING
        review = {"reviewed_by": self.user if self.approve else None,
                  "reviewed_at": self.now if self.approve else None}
        if existing is None or seller.pk is None:
            cert = Certification(
                kind=data.kind, number=data.number, stars=data.stars,
                issued_on=data.issued_on, valid_until=data.valid_until,
                status=status,
                ocop_level="",
                **review,
            )
            self.plan.new_certifications.append((key, cert))
            return
        if existing.product_id is None:
            return  # a store-wide certificate already covers this product
        if product is None or existing.product_id != product.pk:
            self._error(row, _(
                "Số chứng nhận %(number)s đã gắn với một sản phẩm khác của cửa hàng. "
                "Mỗi sản phẩm cần số chứng nhận riêng.") % {"number": data.number})
            return
        wanted = {"stars": data.stars, "issued_on": data.issued_on,
                  "valid_until": data.valid_until}
        changed = any(getattr(existing, name) != value for name, value in wanted.items())
        if changed or (self.approve and existing.status != ReviewStatus.APPROVED):
            for name, value in wanted.items():
                setattr(existing, name, value)
            existing.status = status
            existing.reviewed_by, existing.reviewed_at = (
                review["reviewed_by"], review["reviewed_at"])
            self.plan.changed_certifications.append(existing)
            self.plan.touched_product_ids.add(product.pk)

    def _find_variant(self, row) -> Variant | None:
        data = row.variant
        variant = self.variants_by_gtin.get(data.gtin) if data.gtin else None
        if variant is None and (data.sku_given or not data.gtin):
            variant = self.variants_by_sku.get(data.sku)
        return variant

    def _plan_variant(self, row, product) -> None:
        data = row.variant
        variant = self._find_variant(row)
        owner = self.products.get(row.product_key)
        if variant is not None and (owner is None or variant.product_id != owner.pk):
            self._error(row, _("Mã %(code)s đã dùng cho loại hàng của sản phẩm khác.")
                        % {"code": data.gtin or data.sku})
            return
        clash = self.variants_by_sku.get(data.sku)
        same = variant is not None and clash is not None and clash.pk == variant.pk
        if clash is not None and not same and (data.sku_given or variant is None):
            self._error(row, _("Mã hàng (SKU) %(sku)s đã dùng cho loại hàng khác.")
                        % {"sku": data.sku})
            return
        if variant is None:
            new = Variant(label=data.label, sku=data.sku, gtin=data.gtin,
                          weight_g=data.weight_g, price_vnd=data.price_vnd,
                          is_active=True)
            self.plan.new_variants.append((row.product_key, new, data.stock))
            return
        self._plan_variant_change(row, variant)

    def _plan_variant_change(self, row, variant: Variant) -> None:
        data = row.variant
        wanted = {"label": data.label, "weight_g": data.weight_g,
                  "price_vnd": data.price_vnd}
        if data.gtin:  # a row without GTIN never clears one set in the admin
            wanted["gtin"] = data.gtin
        if data.sku_given:
            wanted["sku"] = data.sku
        if any(getattr(variant, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(variant, name, value)
            self.plan.changed_variants.append(variant)
            self.plan.touched_product_ids.add(variant.product_id)
        stock = getattr(variant, "stock", None)
        if stock is None or stock.on_hand != data.stock:
            if stock is not None and data.stock < stock.allocated:
                self._error(row, _(
                    "Tồn kho %(new)s ít hơn số đang giữ cho đơn hàng (%(held)s).")
                    % {"new": data.stock, "held": stock.allocated})
                return
            self.plan.stock_changes[variant.pk] = data.stock
            self.plan.touched_product_ids.add(variant.product_id)


def catalogue_plan(
    *,
    rows: list[CatalogueRow],
    only_seller: Seller | None = None,
    approve_certifications: bool = False,
    user=None,
) -> ImportPlan:
    """Compare validated rows with the database; read-only.

    Every row that cannot be applied becomes a `RowError` on the plan."""
    return _Planner(
        rows=rows, only_seller=only_seller,
        approve_certifications=approve_certifications, user=user,
    ).run()


# --- apply -----------------------------------------------------------------


def _slug_base(name: str) -> str:
    text = name.replace("đ", "d").replace("Đ", "D")
    return slugify(text)[:60].strip("-") or "san-pham"


def _unique_slug(name: str, taken: set[str]) -> str:
    base = _slug_base(name)
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _stores_by_seller(seller_ids: list[int]) -> dict[int, StorePage]:
    stores = {}
    for chunk in _chunks(seller_ids):
        for store in StorePage.objects.filter(seller_id__in=chunk).only(
            "pk", "path", "depth", "url_path", "locale_id", "seller_id"
        ):
            stores[store.seller_id] = store
    return stores


def _next_steps(stores: list[StorePage]) -> dict[int, int]:
    """The step number the next child of each store gets (treebeard MP)."""
    steplen = Page.steplen
    next_step = {store.pk: 1 for store in stores}
    by_path = {store.path: store.pk for store in stores}
    for depth in sorted({store.depth for store in stores}):
        paths = [store.path for store in stores if store.depth == depth]
        for chunk in _chunks(paths):
            children = Page.objects.filter(depth=depth + 1)
            query = None
            for path in chunk:
                part = children.filter(path__startswith=path)
                query = part if query is None else query | part
            for path in query.values_list("path", flat=True):
                parent = by_path[path[: depth * steplen]]
                step = Page._str2int(path[-steplen:]) + 1
                next_step[parent] = max(next_step[parent], step)
    return next_step


def _create_product_pages(plan: ImportPlan, *, sellers: dict[str, Seller],
                          publish: bool, user) -> None:
    """Create the new ProductPages in bulk, computing the treebeard
    path/depth/numchild the way `add_child` would, so each is a normal page
    the admin can open (without a revision, as Wagtail allows)."""
    if not plan.new_products:
        return
    stores = _stores_by_seller(sorted({s.pk for s in sellers.values()}))
    next_step = _next_steps(list(stores.values()))
    taken: dict[int, set[str]] = {}
    for seller_id, slug in ProductPage.objects.filter(
        seller_id__in=list(stores)
    ).values_list("seller_id", "slug"):
        taken.setdefault(seller_id, set()).add(slug)
    content_type = ContentType.objects.get_for_model(ProductPage)
    now = timezone.now()
    added: dict[int, int] = {}
    pages, products = [], []
    for new in plan.new_products.values():
        seller = sellers[new.key[0]]
        store = stores[seller.pk]
        step = next_step[store.pk]
        next_step[store.pk] = step + 1
        added[store.pk] = added.get(store.pk, 0) + 1
        slug = _unique_slug(new.data.name, taken.setdefault(seller.pk, set()))
        page = Page(
            title=new.data.name, draft_title=new.data.name, slug=slug,
            content_type=content_type,
            path=Page._get_path(store.path, store.depth + 1, step),
            depth=store.depth + 1, numchild=0,
            url_path=f"{store.url_path}{slug}/", locale_id=store.locale_id,
            live=publish, has_unpublished_changes=not publish,
            first_published_at=now if publish else None,
            last_published_at=now if publish else None,
            owner=user,
        )
        pages.append(page)
        products.append((page, new, seller))
    for chunk in _chunks(pages):
        Page.objects.bulk_create(chunk)
    rows = []
    for page, new, seller in products:
        new.page_id = page.pk
        product = ProductPage(page_ptr_id=page.pk, seller_id=seller.pk,
                              category=new.data.category, unit=new.data.unit,
                              description=_description_html(new.data.description))
        rows.append(product)
    fields = ProductPage._meta.local_concrete_fields
    for chunk in _chunks(rows):
        # Django refuses bulk_create on a multi-table child; insert the child
        # rows directly (the parent rows exist), the way Model.save() does.
        ProductPage.objects._insert(chunk, fields=fields)
    for store_id, count in added.items():
        Page.objects.filter(pk=store_id).update(numchild=F("numchild") + count)
    plan.touched_product_ids.update(new.page_id for new in plan.new_products.values())


def _apply_sellers(plan: ImportPlan) -> dict[str, Seller]:
    Seller.objects.bulk_create(plan.new_sellers, batch_size=_BATCH)
    Seller.objects.bulk_update(
        plan.changed_sellers,
        ["legal_name", "kind", "phone", "province_code", "ward_code"],
        batch_size=_BATCH,
    )
    sellers = {}
    for seller in [*plan.new_sellers, *plan.changed_sellers]:
        sellers[seller.tax_code] = seller
    for row in plan.rows:
        sellers.setdefault(row.seller.tax_code, None)
    missing = [tax for tax, seller in sellers.items() if seller is None]
    for chunk in _chunks(missing):
        sellers.update((s.tax_code, s) for s in Seller.objects.filter(tax_code__in=chunk))
    with_store = set()
    for chunk in _chunks([s.pk for s in sellers.values()]):
        with_store.update(StorePage.objects.filter(seller_id__in=chunk).values_list(
            "seller_id", flat=True))
    for seller in sellers.values():
        if seller.pk not in with_store:
            seller_provision(seller=seller)
    if plan.changed_sellers:
        plan.touched_product_ids.update(ProductPage.objects.filter(
            seller__in=plan.changed_sellers).values_list("pk", flat=True))
    return sellers


def _product_ids(plan: ImportPlan, sellers: dict[str, Seller]) -> dict:
    ids = {key: new.page_id for key, new in plan.new_products.items()}
    wanted = {row.product_key for row in plan.rows} - set(ids)
    by_seller: dict[int, set[str]] = {}
    for tax, name in wanted:
        by_seller.setdefault(sellers[tax].pk, set()).add(name)
    tax_by_pk = {seller.pk: tax for tax, seller in sellers.items()}
    for chunk in _chunks(list(by_seller)):
        for pk, seller_id, title in ProductPage.objects.filter(
            seller_id__in=chunk
        ).values_list("pk", "seller_id", "title"):
            if title in by_seller[seller_id]:
                ids[(tax_by_pk[seller_id], title)] = pk
    return ids


def _apply_variants(plan: ImportPlan, product_ids: dict) -> None:
    next_order: dict[int, int] = {}
    new = []
    for key, variant, _stock in plan.new_variants:
        variant.product_id = product_ids[key]
        order = next_order.get(variant.product_id)
        if order is None:
            order = Variant.objects.filter(product_id=variant.product_id).count() if (
                key not in plan.new_products) else 0
        variant.sort_order = order
        next_order[variant.product_id] = order + 1
        new.append(variant)
    Variant.objects.bulk_create(new, batch_size=_BATCH)
    Stock.objects.bulk_create(
        [Stock(variant_id=variant.pk, on_hand=stock)
         for _key, variant, stock in plan.new_variants],
        batch_size=_BATCH,
    )
    Variant.objects.bulk_update(
        plan.changed_variants, ["label", "weight_g", "price_vnd", "gtin", "sku"],
        batch_size=_BATCH,
    )
    plan.touched_product_ids.update(product_ids[key] for key, _v, _s in plan.new_variants)
    _apply_stock(plan)


def _apply_stock(plan: ImportPlan) -> None:
    """Set counted stock, locking the rows in pk order as checkout does; a
    count below what orders hold (changed since planning) aborts the import."""
    ids = sorted(plan.stock_changes)
    for chunk in _chunks(ids):
        stocks = list(Stock.objects.select_for_update().filter(pk__in=chunk)
                      .order_by("pk"))
        found = {stock.pk for stock in stocks}
        for stock in stocks:
            on_hand = plan.stock_changes[stock.pk]
            if on_hand < stock.allocated:
                raise ImportFileError(_(
                    "Tồn kho của một loại hàng vừa được giữ cho đơn mới; hãy nhập "
                    "lại tệp."))
            stock.on_hand = on_hand
            stock.updated_at = timezone.now()
        Stock.objects.bulk_update(stocks, ["on_hand", "updated_at"])
        Stock.objects.bulk_create([Stock(variant_id=pk, on_hand=plan.stock_changes[pk])
                                   for pk in chunk if pk not in found])


def _apply_certifications(plan: ImportPlan, sellers, product_ids) -> None:
    new = []
    for key, cert in plan.new_certifications:
        cert.seller_id = sellers[key[0]].pk
        cert.product_id = product_ids[key]
        new.append(cert)
        plan.touched_product_ids.add(cert.product_id)
    Certification.objects.bulk_create(new, batch_size=_BATCH)
    Certification.objects.bulk_update(
        plan.changed_certifications,
        ["stars", "issued_on", "valid_until", "status", "reviewed_by", "reviewed_at"],
        batch_size=_BATCH,
    )


def catalogue_apply(*, plan: ImportPlan, publish: bool = True, user=None) -> ImportPlan:
    """Write a plan without errors in one transaction, then refresh the
    summaries of every product it touched. Refuses a plan with errors."""
    if plan.errors:
        raise ImportFileError(_("Tệp còn lỗi, chưa ghi gì vào hệ thống."))
    with transaction.atomic():
        sellers = _apply_sellers(plan)
        _create_product_pages(plan, sellers=sellers, publish=publish, user=user)
        ProductPage.objects.bulk_update(
            plan.changed_products, ["category", "description", "unit"],
            batch_size=_BATCH,
        )
        product_ids = _product_ids(plan, sellers)
        _apply_variants(plan, product_ids)
        _apply_certifications(plan, sellers, product_ids)
        product_refresh_summaries(product_ids=plan.touched_product_ids)
    return plan


def catalogue_import(
    *,
    stream: TextIO,
    dry_run: bool = False,
    only_seller: Seller | None = None,
    approve_certifications: bool = False,
    publish: bool = True,
    user=None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportPlan:
    """Parse, validate and plan a catalogue file, and apply it unless it is a
    dry run or has errors. The returned plan carries errors and counts."""
    rows, errors, warnings = catalogue_parse(stream=stream, progress=progress)
    plan = catalogue_plan(
        rows=rows, only_seller=only_seller,
        approve_certifications=approve_certifications, user=user,
    )
    plan.errors = sorted([*errors, *plan.errors], key=lambda error: error.line)
    plan.warnings = warnings
    if not dry_run and not plan.errors and plan.change_count:
        catalogue_apply(plan=plan, publish=publish, user=user)
    return plan


def catalogue_text(data: bytes) -> io.StringIO:
    """Decode an uploaded file strictly as UTF-8 (a BOM is allowed)."""
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("Tệp không phải văn bản UTF-8. Trong Excel hãy chọn «Lưu thành» → "
              "«CSV UTF-8».")
        ) from None
