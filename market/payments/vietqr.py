"""VietQR payloads (NAPAS, EMVCo Merchant-Presented Mode) and amounts in words.

Pure format code: no Django imports, tested against the published vector.

A payload is a string of TLV fields (two-digit tag, two-digit length, value):

- 00 payload format indicator "01"
- 01 point of initiation: "11" static (any amount), "12" dynamic (per order)
- 38 merchant account: {00 GUID A000000727, 01 {00 bank BIN, 01 account},
  02 service code QRIBFTTA (transfer to an account)}
- 53 currency "704" (VND), 54 amount in whole dong, 58 country "VN"
- 62 additional data: {08 purpose of transaction, ASCII, at most 25 chars}
- 63 CRC-16/CCITT-FALSE over everything up to and including "6304"
"""

from __future__ import annotations

import re

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
MAX_PURPOSE_LENGTH = 25
_PURPOSE_ALLOWED = re.compile(r"^[\x20-\x7e]*$")


class VietQRError(ValueError):
    """A value that cannot go into a VietQR payload."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _bit in range(8):
            if crc & 0x8000:
                crc = ((crc << 1) ^ 0x1021) & 0xFFFF
            else:
                crc = (crc << 1) & 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    """One EMVCo field; values are at most 99 characters long."""
    if len(value) > 99:
        raise VietQRError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def build_payload(
    *,
    bank_bin: str,
    account: str,
    amount_vnd: int | None = None,
    purpose: str = "",
) -> str:
    """The payload for a transfer to `account` at the bank `bank_bin`.

    With an amount it is a per-order (dynamic, "12") code; without, a static
    ("11") code where the payer types the amount. The purpose must be printable
    ASCII of at most 25 characters, because banking apps copy it verbatim into
    the transfer content that our matching reads back.
    """
    if not (bank_bin.isdigit() and len(bank_bin) == 6):
        raise VietQRError("bank BIN must be 6 digits")
    if not account or not account.isalnum():
        raise VietQRError("account must be letters and digits")
    if len(purpose) > MAX_PURPOSE_LENGTH or not _PURPOSE_ALLOWED.match(purpose):
        raise VietQRError("purpose must be ASCII of at most 25 characters")
    if amount_vnd is not None and amount_vnd <= 0:
        raise VietQRError("amount must be a positive number of dong")

    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = (
        tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    )
    fields = [
        tlv("00", "01"),
        tlv("01", "11" if amount_vnd is None else "12"),
        tlv("38", merchant),
        tlv("53", CURRENCY_VND),
    ]
    if amount_vnd is not None:
        fields.append(tlv("54", str(int(amount_vnd))))
    fields.append(tlv("58", "VN"))
    if purpose:
        fields.append(tlv("62", tlv("08", purpose)))
    body = "".join(fields) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse_payload(payload: str) -> dict[str, str]:
    """Top-level fields of a payload by tag, after checking its CRC."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise VietQRError("payload does not end with a CRC field")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    if payload[-4:].upper() != expected:
        raise VietQRError("CRC does not match")
    return _parse_fields(payload)


def _parse_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        tag, length = text[position : position + 2], text[position + 2 : position + 4]
        if not length.isdigit():
            raise VietQRError(f"bad length at position {position}")
        end = position + 4 + int(length)
        if end > len(text):
            raise VietQRError(f"field {tag} runs past the end")
        fields[tag] = text[position + 4 : end]
        position = end
    return fields


def sub_fields(value: str) -> dict[str, str]:
    """Fields nested inside a template field such as 38 or 62."""
    return _parse_fields(value)


# --- amounts in Vietnamese words -------------------------------------------------

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_SCALES = ["", "nghìn", "triệu"]


def _tens_and_ones(tens: int, ones: int, *, after_hundreds: bool) -> list[str]:
    words: list[str] = []
    if tens == 0:
        if ones == 0:
            return words
        if after_hundreds:
            words.append("lẻ")
        words.append(_DIGITS[ones])
        return words
    words.append("mười" if tens == 1 else f"{_DIGITS[tens]} mươi")
    if ones == 1 and tens > 1:
        words.append("mốt")
    elif ones == 5:
        words.append("lăm")
    elif ones:
        words.append(_DIGITS[ones])
    return words


def _group_words(number: int, *, leading: bool) -> list[str]:
    """Words for 0 < number < 1000; inner groups always say their hundreds."""
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS[hundreds], "trăm"]
    words += _tens_and_ones(tens, ones, after_hundreds=bool(words))
    return words


def _below_billion(number: int, *, leading: bool) -> list[str]:
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        is_leading = leading and index == len(groups) - 1
        words += _group_words(group, leading=is_leading)
        if _SCALES[index]:
            words.append(_SCALES[index])
    return words


def number_to_words(number: int) -> str:
    """A whole number in Vietnamese words: 150000 → "một trăm năm mươi nghìn"."""
    if number < 0:
        raise ValueError("only amounts of zero or more")
    if number == 0:
        return "không"
    billions, rest = divmod(number, 1_000_000_000)
    words: list[str] = []
    if billions:
        words += [number_to_words(billions), "tỷ"]
    if rest:
        words += _below_billion(rest, leading=not billions)
    return " ".join(words)


def amount_in_words(amount_vnd: int) -> str:
    """An amount of money as written on a Vietnamese transfer slip."""
    return f"{number_to_words(amount_vnd)} đồng"
