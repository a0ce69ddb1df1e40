"""How long an SMS may be, and fitting a text into one.

Pure code (no Django). The rules are those of 3GPP TS 23.038 / 23.040: one
SMS carries 160 characters of the GSM 7-bit default alphabet (a character of
its extension table, such as `€` or `[`, takes two), or 70 UCS-2 characters
as soon as any character is outside that alphabet — which every Vietnamese
letter with a mark (ă, ơ, đ, ế…) is. A text that does not fit with its marks
is sent without them ("không dấu", the way Vietnamese brand-name SMS usually
go), where 160 characters fit.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7_LIMIT = 160
UCS2_LIMIT = 70

# GSM 03.38 default alphabet (basic table) and the extension table.
_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


def gsm7_length(text: str) -> int | None:
    """Septets `text` takes in GSM 7-bit, or None if it cannot be sent so."""
    length = 0
    for char in text:
        if char in _GSM7_BASIC:
            length += 1
        elif char in _GSM7_EXTENDED:
            length += 2
        else:
            return None
    return length


def is_gsm7(text: str) -> bool:
    return gsm7_length(text) is not None


def ucs2_length(text: str) -> int:
    """UTF-16 code units (a character outside the BMP, an emoji, takes two)."""
    return len(text.encode("utf-16-le")) // 2


def fits_one_sms(text: str) -> bool:
    """True when `text` goes as a single SMS: ≤ 160 GSM-7 septets, or ≤ 70
    UCS-2 characters when it needs UCS-2."""
    septets = gsm7_length(text)
    if septets is not None:
        return septets <= GSM7_LIMIT
    return ucs2_length(text) <= UCS2_LIMIT


def strip_marks(text: str) -> str:
    """Vietnamese without marks: `Đặc sản Hội An` → `Dac san Hoi An`.

    Every other character outside GSM-7 becomes a plain equivalent or goes
    (“ ” → ", … → ..., – → -)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    for fancy, plain in (
        ("“", '"'),
        ("”", '"'),
        ("‘", "'"),
        ("’", "'"),
        ("…", "..."),
        ("–", "-"),
        ("—", "-"),
        ("\u00a0", " "),
    ):
        text = text.replace(fancy, plain)
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = unicodedata.normalize("NFC", bare)
    return "".join(
        ch if ch in _GSM7_BASIC or ch in _GSM7_EXTENDED else "" for ch in bare
    )


@dataclass(frozen=True)
class SmsText:
    text: str
    unicode: bool  # True: UCS-2 (keeps marks), False: GSM-7


def shorten(value: str, *, max_length: int, ellipsis: str = "…") -> str:
    """`value` cut to at most `max_length` characters at a word boundary,
    with `ellipsis` when something was dropped; never a half word. A first
    word longer than the limit is kept whole (the caller checks the total)."""
    value = " ".join(value.split())
    if len(value) <= max_length:
        return value
    words = value.split(" ")
    kept = words[0]
    for word in words[1:]:
        if len(kept) + 1 + len(word) + len(ellipsis) > max_length:
            break
        kept = f"{kept} {word}"
    return kept.rstrip(",.;:-") + ellipsis


def _fit(template: str, values: dict[str, str], shrinkable, measure, limit, ellipsis):
    values = {key: " ".join(str(v).split()) for key, v in values.items()}
    text = template.format(**values)
    while measure(text) > limit:
        # Shorten the longest shrinkable value by one word.
        candidates = [k for k in shrinkable if len(values[k].split(" ")) > 1]
        if not candidates:
            return None
        key = max(candidates, key=lambda k: len(values[k]))
        current = values[key].removesuffix(ellipsis)
        values[key] = shorten(current, max_length=len(current) - 1, ellipsis=ellipsis)
        text = template.format(**values)
    return text


def sms_fit(template: str, values: dict[str, str], *, shrinkable=()) -> SmsText:
    """Fill `template` ({name} fields) so the text is one SMS.

    With its Vietnamese marks if that fits in 70 characters as is; otherwise
    without marks in 160, shortening the `shrinkable` values (store and
    product names) word by word, longest first. Raises ValueError if even
    one word per name does not fit (a template too long for its values)."""
    text = template.format(**values)
    if is_gsm7(text) and fits_one_sms(text):
        return SmsText(text, unicode=False)
    if fits_one_sms(text):
        return SmsText(text, unicode=True)
    bare_values = {key: strip_marks(str(v)) for key, v in values.items()}
    bare = _fit(
        strip_marks(template),
        bare_values,
        shrinkable,
        lambda t: gsm7_length(t) or 0,
        GSM7_LIMIT,
        "...",
    )
    if bare is None:
        raise ValueError(f"Message does not fit one SMS: {text!r}")
    return SmsText(bare, unicode=False)
