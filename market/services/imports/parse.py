"""Parse and validate catalogue rows one at a time (no database)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from market import places
from market.identifiers import gtin_compact, gtin_normalize, gtin_validator
from market.models import (
    CertificationKind,
    OcopCategory,
    SellerKind,
    ocop_valid_until,
)

from .types import (
    _GROUPED,
    PRICE_MAX,
    PRICE_MIN,
    REQUIRED_COLUMNS,
    CatalogueRow,
    CertData,
    FarmData,
    ImportFileError,
    ProductData,
    RowError,
    SellerData,
    VariantData,
)

# --- parse and validate one row --------------------------------------------


def _int(value: str, *, label: str, low: int, high: int, errors: list[str]) -> int:
    text = value.strip().replace(" ", "")
    if _GROUPED.match(text):  # "60.000": Vietnamese thousands separators
        text = text.replace(".", "")
    try:
        number = int(text)
    except ValueError:
        errors.append(
            _("%(label)s «%(value)s» phải là số nguyên.")
            % {"label": label, "value": value}
        )
        return 0
    if not low <= number <= high:
        errors.append(
            _("%(label)s phải từ %(low)s đến %(high)s (đang là %(value)s).")
            % {"label": label, "low": low, "high": high, "value": number}
        )
    return number


# Day first, as Vietnamese write dates (30/06/2025); ISO (2025-06-30) is what a
# spreadsheet exports, and a four-digit first number cannot be a day.
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def _date(value: str, *, label: str, errors: list[str]) -> dt.date | None:
    text = value.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(
        _(
            "%(label)s «%(value)s» không phải một ngày: ghi ngày/tháng/năm, "
            "ví dụ 30/06/2025."
        )
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
            _(
                "Loại hình «%(value)s» không đúng; dùng household, cooperative hoặc "
                "enterprise."
            )
            % {"value": kind}
        )
    phone = "".join(ch for ch in row.get("phone") or "" if ch.isdigit())
    if not (phone.startswith("0") and len(phone) == 10):
        errors.append(_("Số điện thoại cần 10 chữ số, bắt đầu bằng số 0."))
    province_name = row.get("province") or ""
    province_code = places.find_province(province_name)
    ward_code = None
    if province_code is None:
        errors.append(
            _(
                "Không tìm thấy tỉnh/thành phố «%(value)s». Ghi tên đầy đủ theo danh "
                "mục 34 tỉnh, thành, ví dụ «Thành phố Đà Nẵng»."
            )
            % {"value": province_name}
        )
    elif (row.get("ward") or "").strip():
        ward_code = places.find_ward(province_code=province_code, name=row["ward"])
        if ward_code is None:
            # Old (pre-merger) commune names are still printed on labels and
            # in spreadsheets; keep the row, leave the ward for the admin.
            warnings.append(
                _(
                    "Không tìm thấy phường/xã «%(ward)s» trong %(province)s (có thể là "
                    "tên cũ trước khi sáp nhập); để trống phường/xã, hãy chọn lại "
                    "trong trang quản trị."
                )
                % {"ward": row["ward"], "province": province_name}
            )
    return SellerData(
        tax_code=tax_code,
        legal_name=_text(
            row, "seller_name", label=_("tên người bán"), limit=200, errors=errors
        ),
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
        name=_text(
            row, "product_name", label=_("tên sản phẩm"), limit=255, errors=errors
        ),
        category=category,
        description=(row.get("description") or "").strip(),
        unit=_text(row, "unit", label=_("đơn vị bán"), limit=30, errors=errors),
        certifications=certifications,
    )


def variant_default_sku(
    *, gtin: str | None, tax_code: str, product: str, label: str
) -> str:
    """A SKU for a row that has none: the GTIN when there is one, otherwise a
    short hash of seller, product and variant, so re-imports find it again."""
    if gtin:
        return f"G{gtin}"
    digest = hashlib.sha256(f"{tax_code}|{product}|{label}".encode()).hexdigest()
    return f"NQ-{digest[:12].upper()}"


def _parse_variant(
    row: dict, seller: SellerData, product_name: str, errors: list[str]
) -> VariantData:
    gtin = (row.get("gtin") or "").strip() or None
    if gtin:
        try:
            gtin_validator(gtin)
        except ValidationError as exc:
            errors.append(
                _("Mã GTIN «%(value)s»: %(reason)s")
                % {"value": gtin, "reason": exc.messages[0]}
            )
        # One stored form (14 digits): duplicates in the file and lookups of
        # existing variants then compare products, not strings.
        gtin = gtin_normalize(gtin)
    label = _text(row, "variant", label=_("quy cách"), limit=60, errors=errors)
    sku = (row.get("sku") or "").strip()
    if len(sku) > 40:
        errors.append(_("Mã hàng (SKU) dài quá 40 ký tự."))
    return VariantData(
        label=label,
        weight_g=_int(
            row.get("weight_g") or "0",
            label=_("Khối lượng (gam)"),
            low=0,
            high=10**7,
            errors=errors,
        ),
        price_vnd=_int(
            row.get("price_vnd") or "",
            label=_("Giá (đồng)"),
            low=PRICE_MIN,
            high=PRICE_MAX,
            errors=errors,
        ),
        stock=_int(
            row.get("stock") or "0",
            label=_("Tồn kho"),
            low=0,
            high=10**9,
            errors=errors,
        ),
        gtin=gtin,
        sku=sku
        or variant_default_sku(
            gtin=gtin_compact(gtin),
            tax_code=seller.tax_code,
            product=product_name,
            label=label,
        ),
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
            errors.append(
                _("Tọa độ «%(value)s» phải là số thập phân.") % {"value": text}
            )
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
            _(
                "Tệp không phải văn bản UTF-8. Trong Excel hãy chọn «Lưu thành» → "
                "«CSV UTF-8»."
            )
        ) from None
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            _("Dòng 1 (tiêu đề) thiếu cột: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    reader.fieldnames = header
    try:
        for row in reader:
            yield reader.line_num, row
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "Tệp có ký tự không phải UTF-8 sau dòng %(line)s. Hãy lưu lại thành "
                "«CSV UTF-8»."
            )
            % {"line": reader.line_num}
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
