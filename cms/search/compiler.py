"""Translate modelsearch query objects into Whoosh queries.

Ranking rules (weights below, tuned on the judged set in tests/cms/search):

- every word matches its folded form in every field (``nuoc`` ~ ``nước``);
- a word typed with marks also scores on the exact field, so ``dứa``
  (pineapple) ranks above ``dừa`` (coconut) and ``dưa`` (melon);
- consecutive words found side by side score a phrase bonus, because a
  Vietnamese word is often two syllables (``nước mắm``, ``Thái Nguyên``);
- words of four letters or more also match one-letter typos on the folded
  field, with a low weight, so a typo finds the product but never outranks
  a correct spelling;
- every field counts with its ``SearchField(boost=...)``.
"""

from __future__ import annotations

import heapq
import math

from modelsearch.query import (
    And,
    Boost,
    Fuzzy,
    MatchAll,
    Not,
    Or,
    Phrase,
    PlainText,
)
from whoosh import query as wq
from whoosh.query import AndMaybe, AndNot, Every, NullQuery, Prefix

from .analysis import PAIR_SEPARATOR, fold, has_marks, pair, words
from .store import (
    ALL_EXACT,
    ALL_PAIRS,
    ALL_TEXT,
    AUTOCOMPLETE,
    CODES,
    EXACT,
    FOLDED,
    HEADS,
)
from .synonyms import Slot, query_code, query_slots

FOLDED_WEIGHT = 1.0
EXACT_WEIGHT = 0.8
FUZZY_WEIGHT = 0.15
PAIR_WEIGHT = 0.45
PHRASE_WEIGHT = 0.45
HEAD_WEIGHT = 0.45
FUZZY_MIN_LENGTH = 4
# Another name of the word's group (synonym table), matched with its marks;
# a typed word with marks scores FOLDED + EXACT = 1.8.
SYNONYM_WEIGHT = 1.4
SYNONYM_BONUS = 0.8  # share of the proximity bonuses for another name
# Words the last word of a query is the start of (typing): below any word
# matched whole.
PREFIX_WEIGHT = 0.3
PREFIX_MIN_LENGTH = 2
PREFIX_EXPANSIONS = 12  # the most common completions are looked up
PREFIX_SCAN = 400  # completions read from the term list at most
# The one word of a query is the first word of a title ("dứa" names "Dứa
# Hướng Đạo", not "Trà sâm dứa").
START_WEIGHT = 0.6
FIRST_WORD_WEIGHT = 0.3  # the same for the first word of a longer query
CODE_WEIGHT = 20.0
MAX_READINGS = 8
# The bonuses of the query read with its last word completed (the most
# common completions), so "mat on" names "Mật ong …" as "mat ong" does.
BONUS_COMPLETIONS = 3
COMPLETION_BONUS = 0.6


class _Nothing:
    """Marker for a query that can match nothing (MATCH_NONE)."""


NOTHING = _Nothing()


def simplify(q):
    """Fold MatchAll / MATCH_NONE through And, Or, Not and Boost.

    Returns a query, a `MatchAll` instance or `NOTHING`.
    """
    if isinstance(q, Not):
        return _simplify_not(simplify(q.subquery))
    if isinstance(q, And):
        return _simplify_and([simplify(sub) for sub in q.subqueries])
    if isinstance(q, Or):
        return _simplify_or([simplify(sub) for sub in q.subqueries])
    if isinstance(q, Boost):
        inner = simplify(q.subquery)
        if inner is NOTHING or isinstance(inner, MatchAll):
            return inner
        return Boost(inner, q.boost)
    return q


def _simplify_not(inner):
    if isinstance(inner, MatchAll):
        return NOTHING
    if inner is NOTHING:
        return MatchAll()
    if isinstance(inner, Not):
        return inner.subquery
    return Not(inner)


def _simplify_and(parts):
    if any(part is NOTHING for part in parts):
        return NOTHING
    parts = [part for part in parts if not isinstance(part, MatchAll)]
    if not parts:
        return MatchAll()
    return parts[0] if len(parts) == 1 else And(parts)


def _simplify_or(parts):
    if any(isinstance(part, MatchAll) for part in parts):
        return MatchAll()
    parts = [part for part in parts if part is not NOTHING]
    if not parts:
        return NOTHING
    return parts[0] if len(parts) == 1 else Or(parts)


class WhooshQueryBuilder:
    """Builds Whoosh queries over a set of `FieldSpec`s."""

    def __init__(
        self,
        specs,
        *,
        reader=None,
        fuzzy=True,
        catch_all=False,
        pairs=False,
        codes=False,
        complete=True,
    ):
        # The reader expands a last word's completions and, with `fuzzy`,
        # one-letter typos.
        self.specs = specs
        self.reader = reader
        self.fuzzy = fuzzy and reader is not None
        # Fields boosted below 1 are not in the catch-all fields (see
        # documents.py): they are always looked up on their own.
        self.catch_all = catch_all
        self.high = [spec for spec in specs if spec.boost > 1]
        self.low = [spec for spec in specs if spec.boost < 1]
        # Whether the index has the word-pair field (built since it exists),
        # and the code field.
        self.pairs = pairs
        self.codes = codes
        self._completed: dict[tuple[str, str], list[str]] = {}
        # Whether a query's last word also matches the words it starts.
        self.complete = complete

    def build(self, q, boost: float = 1.0):
        if isinstance(q, MatchAll):
            return Every()
        if isinstance(q, PlainText):
            return self.plain_text(q.query_string, q.operator, boost * q.boost)
        if isinstance(q, Phrase):
            return self.phrase(q.query_string, boost)
        if isinstance(q, Fuzzy):
            return self.fuzzy_text(q.query_string, q.operator, boost)
        if isinstance(q, Boost):
            return self.build(q.subquery, boost * q.boost)
        if isinstance(q, Not):
            return wq.Not(self.build(q.subquery, boost))
        if isinstance(q, And):
            return self.conjunction(q.subqueries, boost)
        if isinstance(q, Or):
            return wq.Or([self.build(sub, boost) for sub in q.subqueries])
        raise NotImplementedError(
            f"`{q.__class__.__name__}` is not supported by the Whoosh backend."
        )

    def conjunction(self, subqueries, boost):
        positive = [self.build(s, boost) for s in subqueries if not isinstance(s, Not)]
        negative = [
            self.build(s.subquery, boost) for s in subqueries if isinstance(s, Not)
        ]
        base = wq.And(positive) if positive else Every()
        if negative:
            return AndNot(base, wq.Or(negative))
        return base

    def word(self, word: str, boost: float, complete: bool = False):
        """One word: folded, exact when typed with marks, its one-letter
        variants found in the index (typos) and, for the last word of a
        query (`complete`), the words it is the start of."""
        folded = fold(word)
        clauses = self.lookups(FOLDED, ALL_TEXT, folded, boost * FOLDED_WEIGHT)
        if has_marks(word):
            clauses += self.lookups(EXACT, ALL_EXACT, word, boost * EXACT_WEIGHT)
        if self.fuzzy and len(folded) >= FUZZY_MIN_LENGTH and not self.known(folded):
            clauses += self.variants(folded, 1, boost * FUZZY_WEIGHT)
        if complete:
            clauses += self.completions(folded, boost * PREFIX_WEIGHT)
        return wq.Or(clauses)

    def name(self, name: tuple[str, ...], boost: float):
        """Another name of a slot's group (synonym table): every word, with
        the marks it is written with."""
        parts = [
            wq.Or(self.lookups(EXACT, ALL_EXACT, word, boost * SYNONYM_WEIGHT))
            for word in name
        ]
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def slot(self, slot: Slot, boost: float, last: bool):
        size = len(slot.words)
        typed = [
            self.word(word, boost, complete=self.complete and last and i == size - 1)
            for i, word in enumerate(slot.words)
        ]
        query = typed[0] if size == 1 else wq.And(typed)
        if not slot.alternatives:
            return query
        return wq.Or(
            [query]
            + [
                self.name(other, boost * self.name_scale(slot.words, other))
                for other in slot.alternatives
            ]
        )

    def _idf(self, field: str, text: str) -> float:
        count = self.reader.doc_count_all()
        found = self.reader.doc_frequency(field, text)
        return math.log(1 + (count - found + 0.5) / (found + 0.5))

    def name_scale(self, typed: tuple[str, ...], other: tuple[str, ...]) -> float:
        """At most 1: how much less another name counts when it is rarer in
        the index than the words typed, so a product with the typed word
        never falls behind one with a rarer other name ("trà" finds "Trà …"
        before "Chè …")."""
        if self.reader is None or not self.catch_all:
            return 1.0
        typed_idf = sum(self._idf(ALL_TEXT, fold(word)) for word in typed)
        other_idf = sum(self._idf(ALL_EXACT, word) for word in other)
        return min(1.0, typed_idf / other_idf) if other_idf else 1.0

    def lookups(self, suffix: str, catch_all: str, text: str, boost: float):
        """Term queries for `text`: in the catch-all field plus the extra
        weight of fields boosted above 1 and the fields boosted below 1 on
        their own (the usual case, and a handful of lookups instead of one
        per field), otherwise in each field with its own boost."""
        if self.catch_all:
            return (
                [wq.Term(catch_all, text, boost=boost)]
                + [
                    wq.Term(s.path + suffix, text, boost=boost * (s.boost - 1))
                    for s in self.high
                ]
                + [
                    wq.Term(s.path + suffix, text, boost=boost * s.boost)
                    for s in self.low
                ]
            )
        return [
            wq.Term(s.path + suffix, text, boost=boost * s.boost) for s in self.specs
        ]

    def known(self, folded: str) -> bool:
        """Whether some document has this word: only unknown words are taken
        for typos, so ``thap`` (Tháp) never drifts to ``thac`` (thác)."""
        specs = self.low if self.catch_all else self.specs
        if self.catch_all and self.reader.doc_frequency(ALL_TEXT, folded):
            return True
        return any(
            self.reader.doc_frequency(spec.path + FOLDED, folded) for spec in specs
        )

    def _targets(self):
        """(folded field, weight) pairs a word's expansions are looked in."""
        if self.catch_all:
            return [(ALL_TEXT, 1.0)] + [(s.path + FOLDED, s.boost) for s in self.low]
        return [(spec.path + FOLDED, spec.boost) for spec in self.specs]

    def variants(self, folded: str, maxdist: int, boost: float):
        """Terms of the index within `maxdist` edits of `folded` (same first
        letter), as weighted Term queries. Expanded here rather than with
        Whoosh's FuzzyTerm, whose boost is not applied to its expansion."""
        clauses = []
        for field, weight in self._targets():
            for term in self.reader.terms_within(field, folded, maxdist, prefix=1):
                if term != folded:
                    clauses.append(wq.Term(field, term, boost=boost * weight))
        return clauses

    def completions(self, folded: str, boost: float):
        """The most common words of the index that start with `folded` (the
        last word of a query, maybe half typed: ``ma`` → ``mam``), as
        weighted Term queries: terms, so the fast ranker scores them."""
        return [
            wq.Term(field, term, boost=boost * weight)
            for field, weight in self._targets()
            for term in self.completion_terms(field, folded)
        ]

    def completion_terms(self, field: str, folded: str) -> list[str]:
        """Up to PREFIX_EXPANSIONS words of `field` longer than `folded` that
        start with it, the most common first."""
        if (
            self.reader is None
            or len(folded) < PREFIX_MIN_LENGTH
            or folded.isdigit()
            or PAIR_SEPARATOR in folded
        ):
            return []
        key = (field, folded)
        if key not in self._completed:
            found = []
            try:
                for raw in self.reader.expand_prefix(field, folded):
                    term = raw.decode("utf-8")
                    if term != folded:
                        found.append((self.reader.doc_frequency(field, term), term))
                    if len(found) >= PREFIX_SCAN:
                        break
            except (KeyError, ValueError):  # a field this index lacks
                found = []
            best = heapq.nlargest(PREFIX_EXPANSIONS, found)
            self._completed[key] = [term for _count, term in best]
        return self._completed[key]

    def readings(self, slots: list[Slot]):
        """(words, weight) of the query as typed, with each other name of a
        slot put in its place, and with the last word completed, for the
        proximity and title bonuses."""
        typed = [list(slot.words) for slot in slots]
        flat = [w for part in typed for w in part]
        found = [(flat, 1.0)]
        for i, slot in enumerate(slots):
            for other in slot.alternatives:
                parts = [*typed[:i], list(other), *typed[i + 1 :]]
                weight = SYNONYM_BONUS * self.name_scale(slot.words, other)
                found.append(([w for part in parts for w in part], weight))
        if self.catch_all and self.complete:
            ends = self.completion_terms(ALL_TEXT, fold(flat[-1]))
            for end in ends[:BONUS_COMPLETIONS]:
                found.append(([*flat[:-1], end], COMPLETION_BONUS))
        return found[:MAX_READINGS]

    def head(self, reading: list[str]) -> str:
        """The title-head term a query starting with `reading` names: its
        first two words folded, or its one word (with marks if typed so)."""
        if len(reading) > 1:
            return pair(fold(reading[0]), fold(reading[1]))
        word = reading[0]
        return word if has_marks(word) else fold(word)

    def proximity_bonus(self, slots: list[Slot], boost: float):
        """Phrase bonus for each pair of neighbouring words and the whole,
        found anywhere in the document's text (one field, so a query costs
        a few lookups whatever the number of fields), and a title bonus
        when the query starts the way a title does (it names the product).

        A pair is one term of the word-pair field, and the whole is every
        pair at once: term lookups, which `ranker` scores quickly, instead of
        position walks. An index built before that field existed gets real
        phrase queries."""
        readings = self.readings(slots)
        if not self.pairs:
            folded = [fold(word) for word in readings[0][0]]
            return self._phrase_bonus(folded, boost)
        clauses, seen = [], set()
        for reading, weight in readings:
            folded = [fold(word) for word in reading]
            texts = [pair(*folded[i : i + 2]) for i in range(len(folded) - 1)]
            for text in texts:
                if text not in seen:
                    seen.add(text)
                    clauses.append(
                        wq.Term(ALL_PAIRS, text, boost=boost * weight * PAIR_WEIGHT)
                    )
            if len(texts) > 1:
                whole = [
                    wq.Term(ALL_PAIRS, text, boost=boost * weight * PHRASE_WEIGHT)
                    for text in texts
                ]
                clauses.append(wq.And(whole))
            head_weight = HEAD_WEIGHT if len(reading) > 1 else START_WEIGHT
            clauses.append(
                wq.Term(HEADS, self.head(reading), boost=boost * weight * head_weight)
            )
            if len(reading) > 1:
                # The first word alone: the product kind a title starts with.
                first = self.head(reading[:1])
                clauses.append(
                    wq.Term(HEADS, first, boost=boost * weight * FIRST_WORD_WEIGHT)
                )
        return wq.Or(clauses)

    def _phrase_bonus(self, folded: list[str], boost: float):
        pairs = [folded[i : i + 2] for i in range(len(folded) - 1)]
        if not pairs:
            return None
        clauses = [
            wq.Phrase(ALL_TEXT, pair, boost=boost * PAIR_WEIGHT) for pair in pairs
        ]
        if len(folded) > 2:
            clauses.append(wq.Phrase(ALL_TEXT, folded, boost=boost * PHRASE_WEIGHT))
        return wq.Or(clauses)

    def plain_text(self, text: str, operator: str, boost: float):
        slots = query_slots(text)
        if not slots:
            return NullQuery
        last = len(slots) - 1
        clauses = [self.slot(slot, boost, i == last) for i, slot in enumerate(slots)]
        if len(clauses) == 1:
            query = clauses[0]
        else:
            query = wq.And(clauses) if operator == "and" else wq.Or(clauses)
        bonus = self.proximity_bonus(slots, boost)
        if bonus is not None:
            query = AndMaybe(query, bonus)
        code = query_code(text) if self.codes else None
        if code is not None:
            # A code printed on the pack: that product first.
            query = wq.Or([query, wq.Term(CODES, code, boost=boost * CODE_WEIGHT)])
        return query

    def phrase(self, text: str, boost: float):
        terms = words(text)
        if not terms:
            return NullQuery
        folded = [fold(term) for term in terms]
        clauses = []
        for spec in self.specs:
            weight = boost * spec.boost
            if len(folded) == 1:
                clauses.append(wq.Term(spec.path + FOLDED, folded[0], boost=weight))
            else:
                clauses.append(wq.Phrase(spec.path + FOLDED, folded, boost=weight))
        return wq.Or(clauses)

    def fuzzy_text(self, text: str, operator: str, boost: float):
        clauses = []
        for term in words(text):
            folded = fold(term)
            maxdist = 2 if len(folded) > 6 else 1
            exact = [
                wq.Term(s.path + FOLDED, folded, boost=boost * s.boost)
                for s in self.specs
            ]
            near = self.variants(folded, maxdist, boost) if self.reader else []
            clauses.append(wq.Or(exact + near))
        if not clauses:
            return NullQuery
        return wq.And(clauses) if operator == "and" else wq.Or(clauses)


class WhooshAutocompleteBuilder(WhooshQueryBuilder):
    """Prefix match on the last word, whole words before it, folded only."""

    def plain_text(self, text: str, operator: str, boost: float):
        terms = [fold(term) for term in words(text)]
        if not terms:
            return NullQuery
        clauses = [self.auto_word(term, boost) for term in terms[:-1]]
        last = terms[-1]
        clauses.append(
            wq.Or(
                [
                    wq.Or(
                        [
                            # A finished word beats a word it is the start of.
                            wq.Term(s.path + AUTOCOMPLETE, last, boost=2 * boost),
                            Prefix(s.path + AUTOCOMPLETE, last, boost=boost),
                        ]
                    )
                    for s in self.specs
                ]
            )
        )
        return wq.And(clauses) if operator == "and" else wq.Or(clauses)

    def auto_word(self, folded: str, boost: float):
        return wq.Or(
            [wq.Term(s.path + AUTOCOMPLETE, folded, boost=boost) for s in self.specs]
        )

    def phrase(self, text: str, boost: float):
        return self.plain_text(text, "and", boost)

    def fuzzy_text(self, text: str, operator: str, boost: float):
        return self.plain_text(text, operator, boost)
