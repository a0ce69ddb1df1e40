"""Query-time expansion that does not depend on the engine: regional and
alternative names (the synonym table) and codes printed on a pack.

A query is cut into *slots*: runs of words that one synonym entry names as
a whole ("khoai mì"), or single words. Each slot keeps the words as typed
and the other names of its group (`Slot.alternatives`). A backend turns the
slots into its own query: the Whoosh compiler weights each part itself;
`expanded_query` gives the same meaning as modelsearch query objects for
any other backend (database, Elasticsearch).

The table is `synonyms_vi.txt` beside this file (reviewed in the repo)
plus the rows of `cms.SearchSynonym` that operators add in the admin. It is
read once per process and again at most `RELOAD_SECONDS` after a change
elsewhere (a save in this process reloads it at once).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps

from .analysis import fold, has_marks, normalize, words

TABLE_FILE = Path(__file__).with_name("synonyms_vi.txt")
RELOAD_SECONDS = 60.0
# The longest name, in words, looked for in a query.
MAX_NAME_WORDS = 4

_CODE_STRIP = ".,;:()[]{}\"'"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Slot:
    words: tuple[str, ...]  # lower-cased NFC words as typed
    alternatives: tuple[tuple[str, ...], ...] = ()  # other names, with marks


def parse_groups(text: str) -> list[tuple[tuple[str, ...], ...]]:
    """Groups of names from synonyms.txt-style text: one group per line,
    names separated by commas, "#" to the end of a line is a comment."""
    groups = []
    for line in normalize(text).splitlines():
        line = line.split("#", 1)[0]
        names = []
        for raw in line.split(","):
            name = tuple(words(raw))
            if name and name not in names:
                names.append(name)
        if len(names) > 1:
            groups.append(tuple(names))
    return groups


class SynonymTable:
    """Names -> the other names of their groups, looked up folded."""

    def __init__(self, groups):
        # folded name -> [(name with marks, its group)]
        self.by_folded: dict[tuple[str, ...], list] = {}
        for group in groups:
            for name in group:
                key = tuple(fold(word) for word in name)
                self.by_folded.setdefault(key, []).append((name, group))

    def alternatives(self, typed: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """Other names of the groups `typed` belongs to. A name typed with
        marks must match an entry's marks ("nạ" is not "na"); one typed
        without marks matches every entry that folds the same way."""
        entries = self.by_folded.get(tuple(fold(word) for word in typed), [])
        if any(has_marks(word) for word in typed):
            entries = [(name, group) for name, group in entries if name == typed]
        found = []
        for _name, group in entries:
            for other in group:
                if other != typed and other not in found:
                    found.append(other)
        return tuple(found)

    def slots(self, query_words: list[str]) -> list[Slot]:
        """The query cut into slots, the longest known name first."""
        result, i = [], 0
        while i < len(query_words):
            for size in range(min(MAX_NAME_WORDS, len(query_words) - i), 0, -1):
                typed = tuple(query_words[i : i + size])
                alternatives = self.alternatives(typed)
                if alternatives or size == 1:
                    result.append(Slot(typed, alternatives))
                    i += size
                    break
        return result


_lock = threading.Lock()
_cache: dict[str, object] = {"table": None, "loaded": 0.0}


def _admin_groups():
    if not apps.is_installed("cms"):
        return []
    rows = apps.get_model("cms", "SearchSynonym").objects
    text = "\n".join(rows.values_list("terms", flat=True))
    return parse_groups(text)


def table() -> SynonymTable:
    """The synonym table: the reviewed file plus the admin's rows."""
    now = time.monotonic()
    with _lock:
        current = _cache["table"]
        if current is not None and now - _cache["loaded"] < RELOAD_SECONDS:
            return current
    groups = parse_groups(TABLE_FILE.read_text(encoding="utf-8")) + _admin_groups()
    loaded = SynonymTable(groups)
    with _lock:
        _cache["table"], _cache["loaded"] = loaded, now
    return loaded


def reload() -> None:
    """Forget the table (after an admin change), so the next query reads it."""
    with _lock:
        _cache["table"] = None


def query_slots(text: str) -> list[Slot]:
    return table().slots(words(text))


# --- codes printed on a pack -----------------------------------------------


def code_key(token: str) -> str | None:
    """The form a code is indexed and looked up by, or None when `token` is
    no code: lower case without marks; a GTIN (8–14 digits) padded to 14
    digits, so it matches with or without its leading zeros."""
    token = fold(token.strip(_CODE_STRIP))
    if len(token) < 4 or not any(ch.isdigit() for ch in token):
        return None
    if token.isdigit() and 8 <= len(token) <= 14:
        return token.zfill(14)
    return token


def text_codes(text: str) -> set[str]:
    """Code keys of every code-like token of an indexed text (SKU, GTIN,
    certificate number)."""
    keys = (code_key(token) for token in _SPACES.split(normalize(text)))
    return {key for key in keys if key}


def query_code(text: str) -> str | None:
    """The code a whole query is, if it is one token (or digits with
    spaces, as a barcode is printed: "893 1234 567890")."""
    text = normalize(text).strip()
    compact = _SPACES.sub("", text)
    if compact.isdigit() or not _SPACES.search(text):
        return code_key(compact)
    return None


# --- the same meaning for any modelsearch backend ----------------------------


def expanded_query(text: str, operator: str = "and"):
    """`text` as modelsearch query objects with the synonym table and code
    forms applied: each slot matches its words or one of its other names,
    slots combined with `operator`; a code query also matches its padded
    GTIN form. For backends whose compiler cannot weight the parts itself
    (the database backend; its SQLite flavour has no `Boost`, so other
    names count as much as the words typed)."""
    from modelsearch.query import And, Or, PlainText

    parts = []
    for slot in query_slots(text):
        names = [slot.words, *slot.alternatives]
        options = [PlainText(" ".join(name), operator="and") for name in names]
        parts.append(options[0] if len(options) == 1 else Or(options))
    if not parts:
        return PlainText(text, operator=operator)
    query = parts[0] if len(parts) == 1 else (And if operator == "and" else Or)(parts)
    forms = [form for form in code_forms(text) if form != fold(text.strip())]
    if forms:
        query = Or([query, *(PlainText(form) for form in forms)])
    return query


def code_forms(text: str) -> list[str]:
    """Every form a code query may be stored in: a GTIN with 8, 12, 13 or
    14 digits (as typed, the index may hold another length)."""
    code = query_code(text)
    if code is None:
        return []
    if not code.isdigit():
        return [code]
    digits = code.lstrip("0") or "0"
    return [digits.zfill(n) for n in (14, 13, 12, 8) if len(digits) <= n]
