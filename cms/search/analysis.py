"""Vietnamese text analysis for the Whoosh backend.

Vietnamese is written in syllables separated by spaces; each syllable carries
a tone mark and possibly a vowel modifier (ă, â, ê, ô, ơ, ư) and đ. Shoppers on
phone keyboards often leave all of them out, so every text field is indexed
twice:

- *exact*: NFC-normalised, lower-cased syllables (``dứa``), so a query typed
  with diacritics prefers the word it spells;
- *folded*: the same syllables with every mark removed and đ turned into d
  (``dua``), so ``nuoc mam`` finds ``nước mắm``.

There is no stop list: short syllables (``cá``, ``mè``, ``ong``) are product
names, not noise, and no stemming: Vietnamese does not inflect.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, ShingleFilter

# Syllables and codes: letters/digits, optionally joined by "." or "-"
# inside a code ("ST25", "OCOP-2024-0001" stays searchable by its parts too,
# because the tokenizer splits on "-").
WORD_PATTERN = r"\w+(?:\.\w+)*"
_WORD_RE = re.compile(WORD_PATTERN)

# đ/Đ are letters of their own in Unicode, not d + a combining mark, so NFD
# does not take them apart.
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "D"})


def normalize(text: str) -> str:
    """NFC form: phone keyboards and copy-paste send either composed or
    decomposed marks; only NFC makes both the same string."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Remove tone marks and vowel modifiers, turn đ into d, lower-case.

    ``fold("Nước Mắm Đà Nẵng") == "nuoc mam da nang"``.
    """
    decomposed = unicodedata.normalize("NFD", word.translate(_EXTRA_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def words(text: str) -> list[str]:
    """The lower-cased, NFC-normalised words of `text`, in order."""
    return [match.group(0).lower() for match in _WORD_RE.finditer(normalize(text))]


def has_marks(word: str) -> bool:
    """True when the word carries any Vietnamese mark (so exact form matters)."""
    return fold(word) != word.lower()


class NfcTokenizer(RegexTokenizer):
    """RegexTokenizer that first brings the text to NFC (Python's \\w does not
    match combining marks, so decomposed text would be cut mid-syllable)."""

    def __init__(self):
        super().__init__(expression=WORD_PATTERN)

    def __call__(self, value, *args, **kwargs):
        return super().__call__(normalize(value), *args, **kwargs)


class FoldFilter(Filter):
    """Whoosh filter applying `fold` to every token."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


def exact_analyzer():
    return NfcTokenizer() | LowercaseFilter()


def folded_analyzer():
    return NfcTokenizer() | LowercaseFilter() | FoldFilter()


# Separator inside a word-pair token ("nuoc mam"): the tokenizer never keeps
# a space inside a word, so a pair cannot collide with a single word.
PAIR_SEPARATOR = " "


def pair(first: str, second: str) -> str:
    return f"{first}{PAIR_SEPARATOR}{second}"


def pairs_analyzer():
    """Folded neighbouring words as one token each ("nuoc mam", "mam ca"):
    the phrase bonus becomes a term lookup instead of a position walk."""
    return folded_analyzer() | ShingleFilter(size=2, sep=PAIR_SEPARATOR)
