"""Validators for the identifiers people type: tax codes, GTINs, phones.

Pure functions over python-stdnum; no Django models here.
"""

from __future__ import annotations

import re

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


def gtin14(value: str) -> str:
    """GTIN padded to 14 digits, as GS1 Digital Link wants it."""
    return value.zfill(14)


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
