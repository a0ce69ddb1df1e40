"""A Whoosh search backend for Wagtail / django-modelsearch.

Configure with::

    WAGTAILSEARCH_BACKENDS = {"default": {
        "BACKEND": "cms.search.backend",
        "PATH": "/var/lib/nguonque/search",   # one sub-directory per index
        "FUZZY": True,                          # one-letter typo tolerance
        "TERM_CACHE": 2_000_000,                # postings scored per searcher
        "INDEX_FILTERS": ["live"],              # the default; see docs/search.md
        "COMPLETE_LAST_WORD": True,             # the default: "nuoc ma" finds mắm
    }}

The engine ranks: it returns ``(pk, score)`` pairs. Filters, ordering other
than relevance, and the objects themselves come from the database (the
matched keys narrowed by the queryset), so every ORM filter a FilterField
allows works, and a page never shows a row the database would not; only
`INDEX_FILTERS` (boolean fields every change of re-indexes) are answered by
the index itself.

Writes (add, add_bulk, delete) go through one task, `cms.search.tasks`, so a
production deployment runs them in one worker queue; see docs/search.md.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter, OrderedDict

from django.conf import settings
from django.db import connections
from django.db.models import Count
from django.db.models.expressions import RawSQL
from modelsearch.backends.base import (
    BaseIndex,
    BaseSearchBackend,
    BaseSearchQueryCompiler,
    BaseSearchResults,
    FilterError,
    FilterFieldError,
    get_model_root,
)
from modelsearch.index import AutocompleteField, SearchField, get_indexed_instance
from modelsearch.query import MatchAll
from whoosh import query as whoosh_query

from . import ranker, store
from .compiler import (
    NOTHING,
    WhooshAutocompleteBuilder,
    WhooshQueryBuilder,
    simplify,
)
from .documents import document_for, field_specs, model_label

logger = logging.getLogger(__name__)

# Primary keys per `pk__in` query: far below SQLite's variable limit, small
# enough that PostgreSQL plans an index scan.
PK_CHUNK = 2000


def chunked(items, size=PK_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pk_filters(queryset, pks) -> list:
    """`queryset` narrowed to `pks`, as few querysets as the database allows.

    Integer keys go as one parameter (a JSON list that SQLite's `json_each`
    unpacks, an array that PostgreSQL's `unnest` does): one query for any
    number of keys, and Django does not prepare thousands of IN values one
    by one (half the cost of counting 2 000 matches). Other keys, and other
    databases, get `pk__in` in chunks.
    """
    pks = list(pks)
    vendor = connections[queryset.db].vendor
    if pks and all(type(pk) is int for pk in pks):
        if vendor == "sqlite":
            subquery = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(pks)])
            return [queryset.filter(pk__in=subquery)]
        if vendor == "postgresql":
            subquery = RawSQL("SELECT unnest(%s::bigint[])", [pks])
            return [queryset.filter(pk__in=subquery)]
    return [queryset.filter(pk__in=chunk) for chunk in chunked(pks)]


class _NotInIndex(Exception):
    """A queryset filter the index cannot answer."""


# "No filters": every document of the model is allowed.
_EVERYTHING = object()


class IndexWriteError(RuntimeError):
    """An index write failed (raised when the task ran in this process)."""


class WhooshSearchQueryCompiler(BaseSearchQueryCompiler):
    DEFAULT_OPERATOR = "and"
    HANDLES_ORDER_BY_EXPRESSIONS = True
    field_kind = SearchField
    builder_class = WhooshQueryBuilder

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.simplified = simplify(self.query)
        self._engine_query = None
        self._scores = None
        self._top = None
        self._matched = None
        self._index_filtered = None  # (searcher, allowed documents or None)
        self._index_filters = frozenset()
        self._filter_schema = None

    def specs(self):
        specs = field_specs(self.queryset.model, self.field_kind)
        if self.fields is not None:
            specs = tuple(spec for spec in specs if spec.top in self.fields)
        return specs

    def whoosh_query(self, backend, searcher):
        builder = self.builder_class(
            self.specs(),
            reader=searcher.reader(),
            fuzzy=backend.fuzzy,
            catch_all=self.fields is None,
            pairs=store.ALL_PAIRS in searcher.schema,
            codes=store.CODES in searcher.schema,
            complete=backend.complete_last_word,
        )
        return builder.build(self.simplified)

    @property
    def is_match_all(self):
        return isinstance(self.simplified, MatchAll)

    @property
    def is_match_none(self):
        return self.simplified is NOTHING

    def _engine(self, backend):
        """(searcher, whoosh query, bit set of this model's documents)."""
        model = self.queryset.model
        searcher = store.searcher(backend.index_path(model))
        if self._engine_query is None or self._engine_query[0] is not searcher:
            query = self.whoosh_query(backend, searcher)
            docs = store.content_filter(searcher, model_label(model))
            self._engine_query = (searcher, query, docs)
        return self._engine_query

    def _scored(self, backend):
        """{docnum: score} of every document of this model the query matches,
        from `ranker` (None when the query needs Whoosh's own search)."""
        searcher, query, docs = self._engine(backend)
        if self._scores is None or self._scores[0] is not searcher:
            scores = None
            if ranker.supported(query):
                tables = ranker.score_tables(searcher, backend.term_cache)
                scores = ranker.evaluate(query, tables)
                scores = {doc: s for doc, s in scores.items() if doc in docs}
            self._scores = (searcher, scores)
        return self._scores[1]

    def _to_pks(self, searcher, docnums):
        stored = store.stored_pks(searcher)
        to_python = self.queryset.model._meta.pk.to_python
        return [to_python(stored(docnum)) for docnum in docnums]

    # --- filters answered by the index ------------------------------------
    # modelsearch walks the queryset's WHERE clause and calls these three for
    # each part. Only an exact match on a boolean FilterField named in the
    # backend's INDEX_FILTERS (by default `live`, which every publish and
    # unpublish re-indexes) is answered by the index; any other filter (a
    # flag kept up to date by bulk updates, a price, a province) makes the
    # database check the matches. Rows shown are always read through the
    # queryset, so a page never shows one the database would not.

    def _process_lookup(self, field_path, lookup, value):
        if len(field_path) != 1 or lookup != "exact" or not isinstance(value, bool):
            raise _NotInIndex
        attname = field_path[0].get_attname(self.queryset.model)
        name = attname + store.BOOLEAN
        if attname not in self._index_filters or name not in self._filter_schema:
            raise _NotInIndex
        return whoosh_query.Term(name, "t" if value else "f")

    def _process_match_none(self):
        return whoosh_query.NullQuery

    def _connect_filters(self, filters, connector, negated):
        if negated or connector != "AND":
            raise _NotInIndex
        filters = [part for part in filters if part is not None]
        if not filters:
            return None  # no condition at all
        return filters[0] if len(filters) == 1 else whoosh_query.And(filters)

    def _index_filter(self, backend, searcher):
        """The documents the queryset's filters allow, from the index (every
        document when it has none), or None when the database must check."""
        if not backend.index_filters:
            return None
        cached = self._index_filtered
        if cached is not None and cached[0] is searcher:
            return cached[1]
        self._index_filters = backend.index_filters
        self._filter_schema = searcher.schema
        try:
            query = self._get_filters_from_queryset()
        except (_NotInIndex, FilterError, FilterFieldError):
            allowed = None
        else:
            allowed = (
                _EVERYTHING if query is None else store.query_docs(searcher, query)
            )
        self._index_filtered = (searcher, allowed)
        return allowed

    def filters_answered_by_index(self, backend) -> bool:
        searcher = self._engine(backend)[0]
        return self._index_filter(backend, searcher) is not None

    def _allowed(self, pks) -> set:
        """The pks among `pks` that the queryset's own filters let through."""
        base = self.queryset.order_by()
        allowed = set()
        for narrowed in pk_filters(base, pks):
            allowed.update(narrowed.values_list("pk", flat=True))
        return allowed

    def top(self, backend, limit):
        """The `limit` best engine hits as ``[(pk, score)]`` (all when None),
        and whether that is every hit. Whoosh skips blocks of postings that
        cannot reach the top `limit`, so a first page stays fast however many
        documents match."""
        cached = self._top
        if cached and (cached[2] or (limit is not None and cached[0] >= limit)):
            return cached[1], cached[2]
        scores = self._scored(backend)
        searcher, query, docs = self._engine(backend)
        if scores is not None:
            top_n = ranker.best(scores, limit)
        else:
            results = searcher.search(query, limit=limit, filter=docs, terms=False)
            top_n = results.top_n
        pks = self._to_pks(searcher, [docnum for _, docnum in top_n])
        seen, hits = set(), []
        for pk, (score, _docnum) in zip(pks, top_n, strict=True):
            if pk not in seen:
                seen.add(pk)
                hits.append((pk, score))
        exhausted = limit is None or len(top_n) < limit
        self._top = (limit, hits, exhausted)
        return hits, exhausted

    def ranked(self, backend, stop):
        """Hits the queryset's filters let through, best first: at least
        `stop` of them when there are that many (all when `stop` is None)."""
        limit = None if stop is None else max(100, 2 * stop)
        known = None
        searcher = self._engine(backend)[0]
        if (
            self._scored(backend) is not None
            or self._index_filter(backend, searcher) is not None
        ):
            # Every match is at hand already: check them all at once (one
            # database query, or none when the index answers the filters),
            # and the count and the facets of this search reuse the result.
            known = set(self.matched_pks(backend))
        while True:
            hits, exhausted = self.top(backend, limit)
            if known is None:
                allowed = self._allowed(pk for pk, _ in hits)
            else:
                allowed = known
            ranked = [(pk, score) for pk, score in hits if pk in allowed]
            if exhausted or len(ranked) >= stop:
                return ranked
            limit *= 4

    def matched_pks(self, backend) -> list:
        """Every matching pk the queryset allows, unordered and unscored
        (for counts, facets and database ordering), cached."""
        if self._matched is None:
            scores = self._scored(backend)
            searcher, query, docs = self._engine(backend)
            if scores is not None:
                docnums = list(scores)
            else:
                docnums = [d for d in query.docs(searcher) if d in docs]
            allowed_docs = self._index_filter(backend, searcher)
            if allowed_docs is None:
                pks = set(self._to_pks(searcher, docnums))
                self._matched = list(pks & self._allowed(pks))
            else:
                if allowed_docs is not _EVERYTHING:
                    docnums = [d for d in docnums if d in allowed_docs]
                self._matched = list(set(self._to_pks(searcher, docnums)))
        return self._matched


class WhooshAutocompleteQueryCompiler(WhooshSearchQueryCompiler):
    field_kind = AutocompleteField
    builder_class = WhooshAutocompleteBuilder


class WhooshSearchResults(BaseSearchResults):
    supports_facet = True

    def _queryset(self):
        queryset = self.query_compiler.queryset
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def _match_all_queryset(self):
        queryset = self._queryset()
        # Stable pages: without an ordering, slices could overlap.
        return queryset if queryset.ordered else queryset.order_by("-pk")

    def _do_search(self):
        compiler = self.query_compiler
        if compiler.is_match_none:
            return []
        if compiler.is_match_all:
            return list(self._match_all_queryset()[self.start : self.stop])
        if compiler.order_by_relevance:
            ranked = compiler.ranked(self.backend, self.stop)
            return self._fetch_in_order(ranked[self.start : self.stop])
        return self._fetch_db_order(compiler.matched_pks(self.backend))

    def _fetch_in_order(self, page):
        objects = self._queryset().in_bulk([pk for pk, _ in page])
        results, stale = [], []
        for pk, score in page:
            obj = objects.get(pk)
            if obj is None:
                stale.append(pk)
                continue
            if self._score_field:
                setattr(obj, self._score_field, float(score))
            results.append(obj)
        if stale and self.query_compiler.filters_answered_by_index(self.backend):
            # The index let these through, the database did not: their
            # documents are stale (a save rolled back after its immediate
            # index write). Put the index right for the next search.
            model = self.query_compiler.queryset.model
            self.backend.get_index_for_model(model).repair(model, stale)
        return results

    def _fetch_db_order(self, matched):
        scores = dict.fromkeys(matched, 0.0)
        if self._score_field:
            scores.update(self.query_compiler.top(self.backend, None)[0])
        queryset = self._queryset()
        if not queryset.query.order_by:
            queryset = queryset.order_by("-pk")
        if len(scores) <= PK_CHUNK:
            objects = list(queryset.filter(pk__in=list(scores))[self.start : self.stop])
        else:
            # Too many for one IN list: walk the queryset's own order.
            ordered = (pk for pk in queryset.values_list("pk", flat=True).iterator())
            wanted = [pk for pk in ordered if pk in scores][self.start : self.stop]
            found = queryset.in_bulk(wanted)
            objects = [found[pk] for pk in wanted if pk in found]
        if self._score_field:
            for obj in objects:
                setattr(obj, self._score_field, float(scores.get(obj.pk, 0.0)))
        return objects

    def _do_count(self):
        compiler = self.query_compiler
        if compiler.is_match_none:
            return 0
        if compiler.is_match_all:
            return self._match_all_queryset()[self.start : self.stop].count()
        return len(compiler.matched_pks(self.backend)[self.start : self.stop])

    def facet(self, field_name):
        compiler = self.query_compiler
        if compiler._get_filterable_field(field_name) is None:
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". Please add '
                f'index.FilterField("{field_name}") to '
                f"{compiler.queryset.model.__name__}.search_fields.",
                field_name=field_name,
            )
        counts = Counter()
        base = compiler.queryset.order_by()
        if compiler.is_match_all:
            querysets = [base]
        elif compiler.is_match_none:
            querysets = []
        else:
            pks = compiler.matched_pks(self.backend)
            querysets = pk_filters(base, pks)
        for queryset in querysets:
            for row in queryset.values(field_name).annotate(count=Count("pk")):
                counts[row[field_name]] += row["count"]
        return OrderedDict(counts.most_common())


class WhooshIndex(BaseIndex):
    """One Whoosh index per root model (all Page types share one)."""

    def __init__(self, backend, model, path=None, building=False):
        super().__init__(backend)
        self.model = model
        self.path = path or backend.index_path(model)
        # A rebuild fills a private directory nobody else writes to, in bulk.
        self.bulk = store.BulkLoad(self.path) if building else None

    def get_key(self):
        return model_label(self.model)

    def __str__(self):
        return self.get_key()

    def refresh(self):
        # Searchers notice commits themselves; nothing to flush.
        return None

    def reset(self):
        store.reset(self.path)

    def add_items(self, model, items):
        docs = [document_for(item) for item in items]
        if docs:
            self._write(upserts=docs)

    def delete_item(self, item):
        self._write(deletes=[str(item.pk)])

    def repair(self, model, pks):
        """Re-write the documents of `pks` from the database: rows that
        exist are indexed again, the rest deleted."""
        found = model._default_manager.in_bulk(pks)
        specific = {pk: get_indexed_instance(obj, False) for pk, obj in found.items()}
        docs = [document_for(obj) for obj in specific.values() if obj is not None]
        gone = [str(pk) for pk in pks if specific.get(pk) is None]
        logger.info("search index: repaired %d stale documents", len(pks))
        self._write(upserts=docs, deletes=gone)

    def _write(self, *, upserts=(), deletes=()):
        if self.bulk is not None:
            self.bulk.delete(deletes)
            self.bulk.add(upserts)
        else:
            self.backend.submit_write(
                self.path, upserts=list(upserts), deletes=list(deletes)
            )


class WhooshRebuilder:
    """Fills a fresh generation and swaps it in only when complete, so a
    crashed rebuild leaves the live index as it was."""

    def __init__(self, index):
        self.index = index
        self.target = None

    def start(self):
        generation = store.new_generation(self.index.path)
        self.target = WhooshIndex(
            self.index.backend, self.index.model, path=generation, building=True
        )
        self.target.live_path = self.index.path
        return self.target

    def finish(self):
        try:
            self.target.bulk.commit()
        except BaseException:
            self.target.bulk.cancel()
            raise
        store.optimize(self.target.path)
        store.swap(self.index.path, self.target.path)


class WhooshSearchBackend(BaseSearchBackend):
    query_compiler_class = WhooshSearchQueryCompiler
    autocomplete_query_compiler_class = WhooshAutocompleteQueryCompiler
    results_class = WhooshSearchResults
    index_class = WhooshIndex
    rebuilder_class = WhooshRebuilder
    # An index write that fails must not lose the editor's save.
    catch_indexing_errors = True

    def __init__(self, params):
        super().__init__(params)
        self.path = os.path.abspath(
            params.get("PATH") or getattr(settings, "SEARCH_INDEX_PATH", "search")
        )
        self.fuzzy = bool(params.get("FUZZY", True))
        # Postings whose scores each searcher keeps for term-only queries.
        self.term_cache = int(params.get("TERM_CACHE", ranker.DEFAULT_TABLE_BUDGET))
        # Boolean FilterFields whose filters the index answers (see the
        # compiler). Only fields that every change re-indexes belong here.
        self.index_filters = frozenset(params.get("INDEX_FILTERS", ("live",)))
        # The last word of a plain-text search also matches the words it is
        # the start of (typing), below whole words. modelsearch's contract
        # has `search()` match whole words only (`autocomplete()` is for
        # prefixes): False keeps to it (tests/search_conformance_settings.py).
        self.complete_last_word = bool(params.get("COMPLETE_LAST_WORD", True))

    def index_path(self, model) -> str:
        return os.path.join(self.path, model_label(get_model_root(model)))

    def get_index_for_model(self, model):
        return WhooshIndex(self, get_model_root(model))

    def submit_write(self, path, *, upserts, deletes):
        from .tasks import enqueue_index_write

        result = enqueue_index_write(path=path, upserts=upserts, deletes=deletes)
        if result is not None and result.is_finished and result.errors:
            raise IndexWriteError(result.errors[-1].traceback)
        return result

    def refresh_indexes(self):
        return None


SearchBackend = WhooshSearchBackend
