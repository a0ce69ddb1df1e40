"""Vietnam's two-level administration (since 1 July 2025): provinces and wards.

All names and codes come from the `vietnam-provinces` package; nothing here is
a hand-typed list. Codes are stored as integers on our models.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from vietnam_provinces import (
    Province,
    ProvinceCode,
    VietNamDivisionType,
    Ward,
    WardCode,
)

_SPACES = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """NFC, single spaces: the package's data has a few double spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()


@cache
def provinces() -> list[tuple[int, str]]:
    """(code, name) of every province, sorted by Vietnamese name."""
    items = [(int(p.code), _province_label(p)) for p in Province.iter_all()]
    return sorted(items, key=lambda item: _sort_key(item[1]))


@cache
def wards(province_code: int) -> list[tuple[int, str]]:
    try:
        code = ProvinceCode(province_code)
    except ValueError:
        return []
    items = [(int(w.code), clean_name(w.name)) for w in Ward.iter_by_province(code)]
    return sorted(items, key=lambda item: _sort_key(item[1]))


@cache
def _ward_index() -> dict[int, tuple[str, int]]:
    return {
        int(w.code): (clean_name(w.name), int(w.province_code)) for w in Ward.iter_all()
    }


def _province_label(province: Province) -> str:
    # The package names cities "Thành phố …" but provinces without "Tỉnh".
    name = clean_name(province.name)
    if province.division_type == VietNamDivisionType.TINH and not name.startswith(
        "Tỉnh "
    ):
        name = f"Tỉnh {name}"
    return name


def province_name(code: int | None) -> str:
    if code is None:
        return ""
    return dict(provinces()).get(code, "")


def ward_name(code: int | None) -> str:
    if code is None:
        return ""
    entry = _ward_index().get(code)
    return entry[0] if entry else ""


_DIVISION_WORDS = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ")


def short_name(name: str) -> str:
    """A place's own name without "Tỉnh", "Thành phố", "Phường", "Xã"…:
    what a shopper types ("Đà Nẵng")."""
    for word in _DIVISION_WORDS:
        if name.startswith(word):
            return name[len(word) :]
    return name


def place_names(*, province_code: int | None, ward_code: int | None) -> str:
    """Ward and province names ("Hải Châu, Đà Nẵng"), for search."""
    names = [ward_name(ward_code), province_name(province_code)]
    return ", ".join(short_name(name) for name in names if name)


def ward_province(code: int) -> int | None:
    entry = _ward_index().get(code)
    return entry[1] if entry else None


def is_valid_ward(*, province_code: int, ward_code: int) -> bool:
    return ward_province(ward_code) == province_code


@cache
def _province_by_name() -> dict[str, int]:
    return {fold(name): code for code, name in provinces()}


@cache
def _ward_by_name() -> dict[tuple[int, str], int]:
    return {
        (province, fold(name)): code for code, (name, province) in _ward_index().items()
    }


def find_province(name: str) -> int | None:
    return _province_by_name().get(fold(name))


def find_ward(*, province_code: int, name: str) -> int | None:
    return _ward_by_name().get((province_code, fold(name)))


def fold(text: str) -> str:
    """Case- and spacing-insensitive key (diacritics kept: they carry meaning)."""
    return clean_name(text).casefold()


def _sort_key(name: str) -> str:
    # Sort "Thành phố Hà Nội" under H and "Tỉnh An Giang" under A.
    for prefix in ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return unicodedata.normalize("NFD", name).casefold()


__all__ = [
    "WardCode",
    "clean_name",
    "find_province",
    "find_ward",
    "is_valid_ward",
    "province_name",
    "provinces",
    "ward_name",
    "ward_province",
    "wards",
]
