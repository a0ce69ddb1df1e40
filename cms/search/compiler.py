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

from .analysis import fold, has_marks, pair, words
from .store import (
    ALL_EXACT,
    ALL_PAIRS,
    ALL_TEXT,
    AUTOCOMPLETE,
    EXACT,
    FOLDED,
    HEADS,
)

FOLDED_WEIGHT = 1.0
EXACT_WEIGHT = 0.8
FUZZY_WEIGHT = 0.15
PAIR_WEIGHT = 0.45
PHRASE_WEIGHT = 0.45
HEAD_WEIGHT = 0.45
FUZZY_MIN_LENGTH = 4


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

    def __init__(self, specs, *, reader=None, catch_all=False, pairs=False):
        # With a reader, words also match their one-letter typos.
        self.specs = specs
        self.reader = reader
        self.catch_all = catch_all and all(spec.boost >= 1 for spec in specs)
        # Whether the index has the word-pair field (built since it exists).
        self.pairs = pairs

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

    def word(self, word: str, boost: float):
        """One word: folded, exact when typed with marks, and its one-letter
        variants found in the index (typos)."""
        folded = fold(word)
        clauses = self.lookups(FOLDED, ALL_TEXT, folded, boost * FOLDED_WEIGHT)
        if has_marks(word):
            clauses += self.lookups(EXACT, ALL_EXACT, word, boost * EXACT_WEIGHT)
        if (
            self.reader is not None
            and len(folded) >= FUZZY_MIN_LENGTH
            and not self.known(folded)
        ):
            clauses += self.variants(folded, 1, boost * FUZZY_WEIGHT)
        return wq.Or(clauses)

    def lookups(self, suffix: str, catch_all: str, text: str, boost: float):
        """Term queries for `text`: in the catch-all field plus the extra
        weight of boosted fields when every field has a boost of at least 1
        (the usual case, and a handful of lookups instead of one per field),
        otherwise in each field with its own boost."""
        if self.catch_all:
            return [wq.Term(catch_all, text, boost=boost)] + [
                wq.Term(s.path + suffix, text, boost=boost * (s.boost - 1))
                for s in self.specs
                if s.boost > 1
            ]
        return [
            wq.Term(s.path + suffix, text, boost=boost * s.boost) for s in self.specs
        ]

    def known(self, folded: str) -> bool:
        """Whether some document has this word: only unknown words are taken
        for typos, so ``thap`` (Tháp) never drifts to ``thac`` (thác)."""
        if self.catch_all:
            return bool(self.reader.doc_frequency(ALL_TEXT, folded))
        return any(
            self.reader.doc_frequency(spec.path + FOLDED, folded) for spec in self.specs
        )

    def variants(self, folded: str, maxdist: int, boost: float):
        """Terms of the index within `maxdist` edits of `folded` (same first
        letter), as weighted Term queries. Expanded here rather than with
        Whoosh's FuzzyTerm, whose boost is not applied to its expansion."""
        if self.catch_all:
            targets = [(ALL_TEXT, 1.0)]
        else:
            targets = [(spec.path + FOLDED, spec.boost) for spec in self.specs]
        clauses = []
        for field, weight in targets:
            for term in self.reader.terms_within(field, folded, maxdist, prefix=1):
                if term != folded:
                    clauses.append(wq.Term(field, term, boost=boost * weight))
        return clauses

    def proximity_bonus(self, folded: list[str], boost: float):
        """Phrase bonus for each pair of neighbouring words and the whole,
        found anywhere in the document's text (one field, so a query costs
        a few lookups whatever the number of fields).

        A pair is one term of the word-pair field, and the whole is every
        pair at once: term lookups, which `ranker` scores quickly, instead of
        position walks. An index built before that field existed gets real
        phrase queries."""
        pairs = [folded[i : i + 2] for i in range(len(folded) - 1)]
        if self.pairs:
            texts = [pair(*neighbours) for neighbours in pairs]
            clauses = [
                wq.Term(ALL_PAIRS, text, boost=boost * PAIR_WEIGHT) for text in texts
            ]
            if len(texts) > 1:
                whole = [
                    wq.Term(ALL_PAIRS, text, boost=boost * PHRASE_WEIGHT)
                    for text in texts
                ]
                clauses.append(wq.And(whole))
            # The query starts the way a title does: it names that product.
            clauses.append(wq.Term(HEADS, texts[0], boost=boost * HEAD_WEIGHT))
            return wq.Or(clauses)
        clauses = [
            wq.Phrase(ALL_TEXT, pair, boost=boost * PAIR_WEIGHT) for pair in pairs
        ]
        if len(folded) > 2:
            clauses.append(wq.Phrase(ALL_TEXT, folded, boost=boost * PHRASE_WEIGHT))
        return wq.Or(clauses)

    def plain_text(self, text: str, operator: str, boost: float):
        terms = words(text)
        if not terms:
            return NullQuery
        clauses = [self.word(term, boost) for term in terms]
        core = wq.And(clauses) if operator == "and" else wq.Or(clauses)
        if len(terms) == 1:
            return core
        return AndMaybe(core, self.proximity_bonus([fold(t) for t in terms], boost))

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
