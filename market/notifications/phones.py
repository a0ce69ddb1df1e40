"""Vietnamese phone numbers in the form SMS and Zalo gateways take.

Pure code (no Django). Validation follows the national numbering plan as
published in Google's libphonenumber metadata (the `phonenumbers` package):
only numbers of an assigned mobile range are accepted, since the messages go
by SMS or Zalo. The result is the E.164 number without "+", `84…`, the form
both eSMS and Zalo ZNS document.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneInvalid(ValueError):
    """Not a Vietnamese mobile number."""


def phone_to_msisdn(value: str) -> str:
    """`0905 123 456`, `+84 905.123.456` or `84905123456` → `84905123456`.

    Raises PhoneInvalid for anything that is not an assigned Vietnamese mobile
    number (landlines included: they receive neither SMS nor Zalo).
    """
    text = (value or "").strip()
    if text.startswith("84") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException as error:
        raise PhoneInvalid(value) from error
    if (
        number.country_code != 84
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise PhoneInvalid(value)
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164
    ).removeprefix("+")


def msisdn_display(msisdn: str) -> str:
    """`84905123456` → `0905 123 456` (how a farmer writes it)."""
    if not msisdn.startswith("84"):
        return msisdn
    local = "0" + msisdn[2:]
    return f"{local[:4]} {local[4:7]} {local[7:]}"
