"""Fast scoring of term-only queries on a Whoosh searcher.

Whoosh scores a query one posting at a time through a tree of Python matcher
objects; at 100 000 variants a query naming a product kind matches a few
thousand documents, and that walk alone took 60–400 ms. The plain-text
queries the search page sends are trees of `Term` combined by `And`, `Or`,
`AndMaybe` and `AndNot` (the phrase bonus uses the word-pair field, see
`compiler.proximity_bonus`), so this module evaluates such trees over score
tables instead:

- a table per (field, term) maps each document to its BM25F score, computed
  once by Whoosh's own matcher and scorer, and kept in a bounded LRU cache on
  the searcher (a new searcher, after any commit, starts empty);
- `And` starts from its smallest part and looks the others up only for those
  documents; `Or` and `AndMaybe` add scores; `AndNot` removes documents.

Scores are the ones Whoosh computes for the same tree (a term's score times
its boost, summed by `And`, `Or` and `AndMaybe`; `AndNot` keeps the left
side's), so ranking does not change, only its cost. Any other query type
raises `Unsupported` and the caller uses Whoosh's own search.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict

from whoosh import query as wq

# Cached postings per searcher, about 80 bytes each: up to ~160 MB at the
# default. The 37 judged queries of bench/search.py at 100 000 variants use
# 850 000; a smaller budget makes a varied mix rebuild tables (a table of a
# common word costs 10-50 ms to build).
DEFAULT_TABLE_BUDGET = 2_000_000

_NULL = type(wq.NullQuery)


class Unsupported(Exception):
    """The query holds a node this evaluator does not handle."""


class ScoreTables:
    """{docnum: score} per (field, term) for one searcher, least recently
    used dropped first once `budget` postings are held."""

    def __init__(self, searcher, budget: int = DEFAULT_TABLE_BUDGET):
        self.searcher = searcher
        self.budget = budget
        self.size = 0
        self._tables: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()

    def get(self, field: str, text: str) -> dict[int, float]:
        key = (field, text)
        table = self._tables.get(key)
        if table is not None:
            self._tables.move_to_end(key)
            return table
        matcher = wq.Term(field, text).matcher(self.searcher)
        table = {}
        while matcher.is_active():
            table[matcher.id()] = matcher.score()
            matcher.next()
        self._tables[key] = table
        self.size += len(table) + 1
        while self.size > self.budget and len(self._tables) > 1:
            _key, old = self._tables.popitem(last=False)
            self.size -= len(old) + 1
        return table


def score_tables(searcher, budget: int = DEFAULT_TABLE_BUDGET) -> ScoreTables:
    """The searcher's tables (created on first use)."""
    tables = searcher.__dict__.get("_nq_score_tables")
    if tables is None:
        tables = searcher.__dict__["_nq_score_tables"] = ScoreTables(searcher, budget)
    return tables


def supported(node) -> bool:
    if isinstance(node, wq.Term | _NULL):
        return True
    if isinstance(node, wq.AndMaybe | wq.AndNot):
        return supported(node.a) and supported(node.b)
    if isinstance(node, wq.And | wq.Or) and type(node) in (wq.And, wq.Or):
        return all(supported(sub) for sub in node.subqueries)
    return False


def _size(node, tables: ScoreTables) -> int:
    """An upper bound of the documents `node` matches."""
    if isinstance(node, wq.Term):
        return len(tables.get(node.fieldname, node.text))
    if isinstance(node, _NULL):
        return 0
    if isinstance(node, wq.AndMaybe | wq.AndNot):
        return _size(node.a, tables)
    sizes = [_size(sub, tables) for sub in node.subqueries]
    if isinstance(node, wq.And):
        return min(sizes, default=0)
    return sum(sizes)


def _scaled(scores: dict[int, float], boost: float) -> dict[int, float]:
    if boost == 1:
        return scores
    return {doc: score * boost for doc, score in scores.items()}


def _term(node, tables, within):
    """The term's table (its boost applied by `evaluate`), narrowed to
    `within` by walking whichever of the two is smaller."""
    table = tables.get(node.fieldname, node.text)
    if within is not None:
        if len(within) < len(table):
            table = {doc: table[doc] for doc in within if doc in table}
        else:
            table = {doc: s for doc, s in table.items() if doc in within}
    return table


def _and_maybe(node, tables, within):
    required = evaluate(node.a, tables, within)
    merged = dict(required)
    for doc, score in evaluate(node.b, tables, required).items():
        merged[doc] += score
    return merged


def _and_not(node, tables, within):
    kept = evaluate(node.a, tables, within)
    dropped = evaluate(node.b, tables, kept)
    return {doc: s for doc, s in kept.items() if doc not in dropped}


def _and(node, tables, within):
    parts = sorted(node.subqueries, key=lambda sub: _size(sub, tables))
    if not parts:
        return {}
    result = evaluate(parts[0], tables, within)
    for part in parts[1:]:
        if not result:
            break
        found = evaluate(part, tables, result)
        result = {doc: result[doc] + score for doc, score in found.items()}
    return result


def _or(node, tables, within):
    result: dict[int, float] = {}
    for sub in node.subqueries:
        for doc, score in evaluate(sub, tables, within).items():
            result[doc] = result.get(doc, 0.0) + score
    return result


# Checked in this order: AndMaybe and AndNot before the And/Or they are not.
_EVALUATORS = (
    (wq.Term, _term),
    (wq.AndMaybe, _and_maybe),
    (wq.AndNot, _and_not),
    (wq.And, _and),
    (wq.Or, _or),
)


def evaluate(node, tables: ScoreTables, within=None) -> dict[int, float]:
    """{docnum: score} of the documents `node` matches (only those in
    `within` when given). The result may be a cached table: do not modify."""
    if isinstance(node, _NULL):
        return {}
    for kind, evaluator in _EVALUATORS:
        if isinstance(node, kind):
            return _scaled(evaluator(node, tables, within), node.boost)
    raise Unsupported(type(node).__name__)


def best(scores: dict[int, float], limit: int | None) -> list[tuple[float, int]]:
    """[(score, docnum)] best first; ties go to the lower docnum, as in
    Whoosh's collector."""
    items = ((score, -doc) for doc, score in scores.items())
    if limit is None:
        ordered = sorted(items, reverse=True)
    else:
        ordered = heapq.nlargest(limit, items)
    return [(score, -negdoc) for score, negdoc in ordered]
