"""Vietnamese mobile numbers."""

from __future__ import annotations

import re

# 10 digits: 0 + a mobile prefix digit (3, 5, 7, 8, 9) + 8 digits.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_SEPARATORS = re.compile(r"[\s.\-()]")


def phone_normalize(value: str) -> str:
    """The number as `0xxxxxxxxx`, or "" if it is not a Vietnamese mobile.

    Spaces, dots, dashes and brackets are ignored; `+84` / `84` become `0`.
    """
    digits = _SEPARATORS.sub("", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _MOBILE.match(digits) else ""
