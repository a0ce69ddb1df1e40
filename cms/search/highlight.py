"""Mark the words of a query in a text, diacritics or not.

``highlight("Nước mắm Cẩm Thanh", "nuoc mam")`` gives
``<mark>Nước</mark> <mark>mắm</mark> Cẩm Thanh``: words are compared folded,
as the index compares them. The text is escaped; only <mark> is added.
"""

from __future__ import annotations

import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .analysis import fold, normalize, words

_WORD = re.compile(r"\w+")


def _targets(query: str) -> set[str]:
    return {fold(word) for word in words(query)}


def highlight(text: str, query: str) -> SafeString:
    """`text` escaped, with every word matching a query word in <mark>."""
    text = normalize(text or "")
    targets = _targets(query)
    out, last = [], 0
    for match in _WORD.finditer(text):
        if fold(match.group(0)) in targets:
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(html: str, query: str, length: int = 160) -> SafeString:
    """About `length` characters of `html` (as plain text) around the first
    query word, highlighted."""
    text = " ".join(strip_tags(html or "").split())
    targets = _targets(query)
    start = 0
    for match in _WORD.finditer(text):
        if fold(match.group(0)) in targets:
            start = max(0, match.start() - length // 3)
            break
    if start:
        start = text.find(" ", start) + 1 or start
    piece = text[start : start + length]
    if start + length < len(text):
        piece = piece.rsplit(" ", 1)[0] + " …"
    if start:
        piece = "… " + piece
    return highlight(piece, query)


def mark_matches(products, query: str) -> None:
    """Give each product `title_html` and `snippet_html` for the results list."""
    for product in products:
        product.title_html = highlight(product.title, query)
        product.snippet_html = snippet(getattr(product, "description", ""), query)
