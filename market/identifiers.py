"""Validators for the identifiers people type: tax codes, GTINs, phones.

Pure functions over python-stdnum; no Django models here.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst


def normalize_tax_code(value: str) -> str:
    """Digits only, branch suffix kept as `0123456789-001`."""
    return mst.compact(value)


def tax_code_validator(value: str) -> None:
    try:
        mst.validate(value)
    except StdnumError:
        raise ValidationError(
            _(
                "Mã số thuế không đúng. Mã số thuế có 10 chữ số (hoặc 13 chữ số với "
                "chi nhánh), hãy xem lại trên giấy đăng ký kinh doanh."
            ),
            code="invalid_tax_code",
        ) from None


def gtin_validator(value: str) -> None:
    if not value:
        return
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise ValidationError(
            _("Mã vạch GTIN gồm 8, 12, 13 hoặc 14 chữ số, không có chữ hay dấu cách."),
            code="invalid_gtin",
        )
    try:
        ean.validate(value)
    except StdnumError:
        raise ValidationError(
            _(
                "Chữ số kiểm tra (số cuối) của mã vạch không đúng. "
                "Hãy đọc lại mã in dưới vạch."
            ),
            code="invalid_gtin_check_digit",
        ) from None


GTIN_LENGTHS = (8, 12, 13, 14)


def gtin14(value: str) -> str:
    """GTIN padded to 14 digits, as GS1 Digital Link wants it."""
    return value.zfill(14)


def gtin_normalize(value: str | None) -> str | None:
    """The one stored form of a GTIN: 14 digits, zero-padded.

    GS1 defines GTIN-8/12/13 as the same number as their zero-padded GTIN-14,
    so `8930001000018` and `08930001000018` are one product and must compare
    equal. Blank becomes None (no GTIN); a value that is not 8, 12, 13 or 14
    digits is returned stripped but unpadded, for `gtin_validator` to refuse.
    """
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if value.isdigit() and len(value) in GTIN_LENGTHS:
        return value.zfill(14)
    return value


def gtin_compact(value: str | None) -> str | None:
    """The shortest GS1 form of a GTIN (as printed under the bar code):
    `08930001000018` → `8930001000018`, `00000096385074` → `96385074`."""
    if not value:
        return value
    for length in GTIN_LENGTHS:
        if len(value) >= length and set(value[: len(value) - length]) <= {"0"}:
            return value[len(value) - length :]
    return value


# 10 digits: 0 + a mobile prefix digit (3, 5, 7, 8, 9) + 8 digits.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def phone_normalize(value: str) -> str:
    """A Vietnamese mobile number as `0xxxxxxxxx`, or "" if it is not one.

    Spaces, dots, dashes and brackets are ignored; `+84` / `84` become `0`.
    """
    digits = _PHONE_SEPARATORS.sub("", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _MOBILE.match(digits) else ""


# --- bank account holder --------------------------------------------------

# As banks print it on the card and send it through NAPAS / VietQR: upper-case
# Latin letters without marks, words separated by one space (at most 50).
BANK_ACCOUNT_NAME_MAX = 50
_ACCOUNT_NAME = re.compile(r"^[A-Z]+(?: [A-Z]+)*$")


def bank_account_name_unmarked(value: str) -> str:
    """ "Nguyễn Văn  Đức" → "NGUYEN VAN DUC": the name as the bank prints it
    (what an error suggests; marks are never dropped silently)."""
    text = value.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.upper().split())


def bank_account_name_normalize(value: str) -> str:
    """Spaces collapsed and letters upper-cased; marks kept (for the check)."""
    return " ".join(value.split()).upper()


def bank_account_name_validator(value: str) -> None:
    if len(value) > BANK_ACCOUNT_NAME_MAX:
        raise ValidationError(
            _("Tên chủ tài khoản dài tối đa %(max)d ký tự, như in trên thẻ."),
            code="max_length",
            params={"max": BANK_ACCOUNT_NAME_MAX},
        )
    if _ACCOUNT_NAME.match(value):
        return
    suggestion = bank_account_name_unmarked(value)
    if suggestion and _ACCOUNT_NAME.match(suggestion):
        raise ValidationError(
            _(
                "Ghi tên chủ tài khoản bằng chữ in hoa không dấu, như trên thẻ "
                "ngân hàng: %(suggestion)s."
            ),
            code="marks",
            params={"suggestion": suggestion},
        )
    raise ValidationError(
        _(
            "Tên chủ tài khoản chỉ gồm chữ cái in hoa không dấu và dấu cách, "
            "như trên thẻ ngân hàng, ví dụ: NGUYEN VAN AN. Bỏ số, ký hiệu và "
            "biểu tượng cảm xúc."
        ),
        code="invalid",
    )
