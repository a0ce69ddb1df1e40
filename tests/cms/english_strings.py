"""Find English that leaks into an admin page a user reads in Vietnamese.

Wagtail's own Vietnamese catalogue covers a few hundred of its strings; the
rest show in English. The English texts Wagtail can print are the message ids
of its catalogues (read from a language translated in full, so every id is
there); one of them left untranslated in Vietnamese and shown on a page is a
leak. Visible text, placeholders, titles, aria-labels and button values are
read, outside scripts and styles.
"""

from __future__ import annotations

import gettext
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import django
import wagtail
from django.utils import translation

# Ids that read the same in Vietnamese, or are not words.
SAME_IN_VIETNAMESE = {"OK", "Email", "URL", "ID", "QR", "PDF", "CSV", "GTIN", "SKU"}


@cache
def wagtail_english_ids() -> frozenset[str]:
    ids: set[str] = set()
    roots = [Path(wagtail.__file__).parent, Path(django.__file__).parent / "contrib"]
    for root in roots:
        for mo in root.glob("**/locale/de/LC_MESSAGES/django.mo"):
            with mo.open("rb") as handle:
                catalog = gettext.GNUTranslations(handle)._catalog
            for key in catalog:
                if isinstance(key, tuple):  # plural forms: (singular, n)
                    key = key[0]
                if "\x04" in key:  # pgettext: context\x04message
                    key = key.split("\x04", 1)[1]
                if key:
                    ids.add(key)
    return frozenset(ids)


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")


@cache
def wagtail_english_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """Ids with placeholders ("The %(model_name)s could not be created…"),
    as patterns that match the text with anything in the placeholders."""
    patterns = []
    for key in wagtail_english_ids():
        if not _PLACEHOLDER.search(key) or len(_PLACEHOLDER.sub("", key)) < 8:
            continue
        pieces = [re.escape(piece) for piece in _PLACEHOLDER.split(key)]
        patterns.append((re.compile(".+?".join(pieces) + r"\.?", re.S), key))
    return tuple(patterns)


def untranslated(text: str) -> bool:
    """Whether this text is one of Wagtail's English ids that has no
    Vietnamese translation."""
    with translation.override("vi"):
        return translation.gettext(text) == text


class _Texts(HTMLParser):
    ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        values = dict(attrs)
        for name in self.ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])
        if tag in ("input", "button") and values.get("type") in ("submit", "button"):
            if values.get("value"):
                self.texts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip("*:").strip()


def english_on(html: str) -> dict[str, str]:
    """Wagtail's untranslated English texts shown on this page, each with
    the message id it comes from."""
    parser = _Texts()
    parser.feed(html)
    ids = wagtail_english_ids()
    found = {}
    for raw in parser.texts:
        text = _clean(raw)
        if len(text) < 3 or text in SAME_IN_VIETNAMESE or text in found:
            continue
        if text in ids:
            if untranslated(text):
                found[text] = text
            continue
        for pattern, key in wagtail_english_patterns():
            if pattern.fullmatch(text) and untranslated(key):
                found[text] = key
                break
    return found
