"""Validators for the identifiers sellers type: tax codes and GTINs.

Pure functions over python-stdnum; no Django models here.
"""

from __future__ import annotations

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
            _("Chữ số kiểm tra (số cuối) của mã vạch không đúng. Hãy đọc lại mã in dưới vạch."),
            code="invalid_gtin_check_digit",
        ) from None


def gtin14(value: str) -> str:
    """GTIN padded to 14 digits, as GS1 Digital Link wants it."""
    return value.zfill(14)
