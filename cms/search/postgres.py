"""PostgreSQL full-text search with the Whoosh backend's Vietnamese rules: the
engine every app host shares (production profile, ``SEARCH_BACKEND=postgres``).

    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search.postgres"}}

modelsearch's PostgreSQL backend, subclassed. It keeps modelsearch's table
(one `IndexEntry` row per object) and its code for `fields=` searches and
`Fuzzy` queries, which run with the text search configuration
``nguonque_vi`` (``unaccent`` then ``simple``: no stemming, no stop words, marks
and đ folded; created by ``cms/migrations/0003_search_postgres.py``).

What changes is the document and the ranking. The ``body`` vector of an entry
holds, built by `cms.search.analysis` (the same folding as Whoosh):

- every word folded (``nuoc``), weighted by its field's boost: A for fields
  boosted above 1 (the title), B for 1, C for 0.5–1, D below (places);
- every word written with marks as written (``nước``), at the same position;
- ``h:`` + the first word of a title (folded and as written) and its first
  two words folded (``h:dua huong``): a query starting that way names the
  product;
- ``c:`` + every code-like word (SKU, GTIN padded to 14 digits, certificate
  number), as `synonyms.text_codes` finds them.

A plain-text query is cut into slots (`synonyms.query_slots`) and becomes
one `tsquery` that decides the match (each slot: its folded words or another
name of its group; the last word also as a prefix, ``ma:*``, as Whoosh
completes it) plus a list of (tsquery, weight) features whose weights are
the Whoosh compiler's (`compiler.py`): a folded word 1, in the title 1 more,
a word typed with marks 0.8 more, another name 1.4 (0.9 when the typed
word had no marks, so "tra" finds "Trà" before "Chè"), a completion 0.3,
neighbouring words side by side (``nuoc <-> mam``) 0.45, the query starting
a title 0.45–0.6, a code 20. A row's score is the sum of the weights of the
features it matches; the GIN index on ``body`` finds the rows, and the
queryset's own filters (``live()``, price, place…) are a sub-select in the
same SQL statement, so one statement gives the page and one the count.

Writes go through `cms.search.tasks.postgres_index_write`, the same single
path as Whoosh's writes (a queue worker in production; in the caller with
the immediate backend). `update_index` writes its chunks directly.
"""

from __future__ import annotations

from collections import OrderedDict

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    TextField,
    Value,
)
from django.db.models.fields import AutoFieldMixin
from django.db.models.functions import Cast
from django.utils.encoding import force_str
from modelsearch.backends.base import FilterError, FilterFieldError
from modelsearch.backends.database.postgres import postgres as stock
from modelsearch.index import (
    AutocompleteField,
    FilterField,
    RelatedFields,
    SearchField,
)
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from .analysis import fold, has_marks, words
from .compiler import (
    CODE_WEIGHT,
    EXACT_WEIGHT,
    FIRST_WORD_WEIGHT,
    FOLDED_WEIGHT,
    HEAD_WEIGHT,
    NOTHING,
    PAIR_WEIGHT,
    PHRASE_WEIGHT,
    PREFIX_MIN_LENGTH,
    PREFIX_WEIGHT,
    START_WEIGHT,
    SYNONYM_BONUS,
    SYNONYM_WEIGHT,
    simplify,
)
from .documents import field_specs
from .synonyms import query_code, query_slots, text_codes

IndexEntry = stock.IndexEntry
CONFIG = "nguonque_vi"
# Another name of a word typed without marks: below the word itself.
PLAIN_SYNONYM_WEIGHT = 0.9
# Weights a field's boost maps to, and what a match in each adds to a word's
# folded score (A: the title, boost 2, counts twice as in Whoosh's catch-all
# plus its boosted field).
LOW_WEIGHTS = {"C": 0.6, "D": 0.3}
# Rows of a ranking kept with its total: the first pages of a search.
TOP_ROWS = 60
SCORE_SCALE = 10000  # feature weights have four decimals
# Planner settings for the ranking statement only (SET LOCAL). The index and
# table are read from memory, not from a spinning disk: with the default
# random_page_cost of 4 PostgreSQL walks every catalogue row for a common
# word instead of using the GIN index (212 → 129 ms for "trà" on 65 000
# products); JIT compiling a one-off ranking costs more than it saves.
PLANNER_SETTINGS = (("random_page_cost", "1.1"), ("jit", "off"))
MAX_POSITION = 16383  # PostgreSQL's limit for a position in a tsvector
MAX_POSITIONS = 255  # per lexeme (PostgreSQL keeps 256)
FIELD_GAP = 2  # positions between two field values: no phrase across them

# The text search configuration the migration creates: unaccent (marks
# removed, đ→d) then simple (lower case; no stemming, no stop words).
CONFIG_SQL = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
        CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple);
        ALTER TEXT SEARCH CONFIGURATION {CONFIG}
            ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word,
                hword, hword_part, numword, numhword, hword_numpart
            WITH unaccent, simple;
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $func$ SELECT public.unaccent('public.unaccent', $1) $func$;
"""  # noqa: S608 - constant names only
DROP_CONFIG_SQL = f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG};"


def ensure_config(connection) -> None:
    """Create the extensions, ``nguonque_vi`` and ``f_unaccent`` if missing
    (the migration's SQL; also used by the conformance suite's database)."""
    with connection.cursor() as cursor:
        cursor.execute(CONFIG_SQL)


# --- documents -------------------------------------------------------------


def weight_for(boost) -> str:
    boost = float(boost or 1.0)
    if boost > 1:
        return "A"
    if boost >= 1:
        return "B"
    if boost >= 0.5:
        return "C"
    return "D"


def _prepare(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "\n".join(_prepare(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(_prepare(item) for item in value.values())
    return force_str(value)


def _values(obj, fields, kind):
    """(field, text) of every `kind` field of `obj`, related ones included."""
    for field in fields:
        if isinstance(field, RelatedFields):
            related = field.get_value(obj)
            if related is None:
                continue
            if hasattr(related, "all"):
                objs = related.all()
            else:
                objs = [related() if callable(related) else related]
            for each in objs:
                yield from _values(each, field.fields, kind)
        elif isinstance(field, kind):
            text = _prepare(field.get_value(obj))
            if text.strip():
                yield field, text


def quote(lexeme: str) -> str:
    """A lexeme as a tsvector / tsquery literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


class VectorBuilder:
    """Lexemes with positions and weights, written as a tsvector literal."""

    def __init__(self):
        self.positions: dict[str, list[str]] = {}
        self.bare: set[str] = set()
        self.position = 0

    def add_text(self, text: str, weight: str, exact: bool = True) -> None:
        for word in words(text):
            self.position = min(self.position + 1, MAX_POSITION)
            entry = f"{self.position}{weight}"
            self._add(fold(word), entry)
            if exact and has_marks(word):
                self._add(word, entry)
        self.position = min(self.position + FIELD_GAP, MAX_POSITION)

    def _add(self, lexeme: str, entry: str) -> None:
        found = self.positions.setdefault(lexeme, [])
        if len(found) < MAX_POSITIONS and entry not in found:
            found.append(entry)

    def add_keyword(self, lexeme: str) -> None:
        self.bare.add(lexeme)

    def literal(self) -> str:
        parts = [
            f"{quote(lexeme)}:{','.join(entries)}"
            for lexeme, entries in self.positions.items()
        ]
        parts += [quote(lexeme) for lexeme in self.bare if lexeme not in self.positions]
        return " ".join(parts)


def heads(text: str) -> list[str]:
    """``h:`` keywords of a title: its first word folded and as written, its
    first two words folded."""
    head = words(text)[:2]
    if not head:
        return []
    folded = [fold(word) for word in head]
    found = {"h:" + folded[0], "h:" + head[0]}
    if len(head) == 2:
        found.add(f"h:{folded[0]} {folded[1]}")
    return sorted(found)


def entry_row(obj) -> dict:
    """What the index row of `obj` holds (JSON-serialisable, for the queue)."""
    fields = obj.get_search_fields()
    body, titles, others = VectorBuilder(), [], []
    # The title first, so its words hold the first positions.
    values = list(_values(obj, fields, SearchField))
    values.sort(key=lambda pair: pair[0].field_name != "title")
    for field, text in values:
        boost = getattr(field, "boost", None) or 1.0
        body.add_text(text, weight_for(boost))
        for code in text_codes(text):
            body.add_keyword("c:" + code)
        if boost > 1:
            for head in heads(text):
                body.add_keyword(head)
        (titles if field.field_name == "title" else others).append(text)
    auto = VectorBuilder()
    for _field, text in _values(obj, fields, AutocompleteField):
        auto.add_text(text, "D", exact=False)
    for attname, value in booleans(obj).items():
        # In both vectors: search() and autocomplete() answer live() alike.
        for vector in (body, auto):
            vector.add_keyword(f"f:{attname}:{'t' if value else 'f'}")
    return {
        "object_id": force_str(obj.pk),
        "body": body.literal(),
        "autocomplete": auto.literal(),
        "title_text": " ".join(titles),
        "body_text": " ".join(others),
    }


def booleans(obj) -> dict[str, bool]:
    """The object's own boolean FilterFields (``live`` on pages): kept in the
    vector as ``f:live:t`` so a search can answer ``.live()`` itself."""
    values = {}
    for field in obj.get_search_fields():
        if not isinstance(field, FilterField):
            continue
        try:
            model_field = field.get_field(type(obj))
        except FieldDoesNotExist:
            continue
        value = field.get_value(obj)
        if isinstance(model_field, models.BooleanField) and isinstance(value, bool):
            values[field.get_attname(type(obj))] = value
    return values


def write_rows(alias: str, *, upserts, deletes) -> int:
    """Apply one batch to the index table in one statement each; returns the
    number of rows written. ``upserts``: (content type id, row) pairs;
    ``deletes``: (content type ids, object id) pairs."""
    connection = connections[alias]
    table = IndexEntry._meta.db_table
    with connection.cursor() as cursor:
        for content_types, object_id in deletes:
            cursor.execute(
                f"DELETE FROM {table} "  # noqa: S608 - our own table name
                "WHERE content_type_id = ANY(%s) AND object_id = %s",
                [list(content_types), object_id],
            )
        if not upserts:
            return 0
        values, params = [], []
        for content_type, row in upserts:
            values.append(
                f"(%s, %s, to_tsvector('{CONFIG}', %s), %s::tsvector, "
                "%s::tsvector, 1.0, %s, %s)"
            )
            params += [
                content_type,
                row["object_id"],
                row["title_text"],
                row["autocomplete"],
                row["body"],
                row["title_text"],
                row["body_text"],
            ]
        cursor.execute(
            f"""
            INSERT INTO {table} (content_type_id, object_id, title, autocomplete,
                body, title_norm, title_text, body_text)
            VALUES {", ".join(values)}
            ON CONFLICT (content_type_id, object_id) DO UPDATE SET
                title = EXCLUDED.title, autocomplete = EXCLUDED.autocomplete,
                body = EXCLUDED.body, title_text = EXCLUDED.title_text,
                body_text = EXCLUDED.body_text
            """,  # noqa: S608 - our own table and config names
            params,
        )
    return len(upserts)


# --- queries ---------------------------------------------------------------


class NotInIndex(Exception):
    """A queryset filter the index cannot answer."""


class Compiled:
    """A tsquery text that decides the match and (tsquery, weight) features
    whose sum is the score."""

    def __init__(self, match: str | None, features=()):
        self.match = match
        self.features = list(features)


def _or(parts):
    parts = [p for p in parts if p]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _and(parts):
    parts = [p for p in parts if p]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def _phrase(lexemes):
    return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]


class TsQueryBuilder:
    def __init__(self, complete: bool = True, weights: frozenset = frozenset("ABCD")):
        self.complete = complete
        # The weight classes the model's fields use: a feature for a class
        # no field has would test every row for nothing.
        self.weights = weights

    def build(self, q, boost: float = 1.0) -> Compiled:
        if isinstance(q, PlainText):
            return self.plain_text(q.query_string, q.operator, boost * q.boost)
        if isinstance(q, Phrase):
            return self.phrase(q.query_string, boost)
        if isinstance(q, Boost):
            return self.build(q.subquery, boost * q.boost)
        if isinstance(q, Not):
            inner = self.build(q.subquery, boost)
            return Compiled(f"!{inner.match}" if inner.match else None)
        if isinstance(q, And | Or):
            parts = [self.build(sub, boost) for sub in q.subqueries]
            join = _and if isinstance(q, And) else _or
            if isinstance(q, And) and any(p.match is None for p in parts):
                return Compiled(None)
            return Compiled(
                join([p.match for p in parts]),
                [f for p in parts for f in p.features],
            )
        raise NotImplementedError(
            f"`{q.__class__.__name__}` is not supported by the PostgreSQL backend."
        )

    def word_features(self, word: str, boost: float, complete: bool):
        folded = quote(fold(word))
        catch_all = "AB" + ("C" if "C" in self.weights else "")
        features = [
            (f"{folded}:{catch_all}", boost * FOLDED_WEIGHT),
            (f"{folded}:A", boost * FOLDED_WEIGHT),
        ] + [
            (f"{folded}:{weight}", boost * FOLDED_WEIGHT * low)
            for weight, low in LOW_WEIGHTS.items()
            if weight in self.weights
        ]
        if has_marks(word):
            exact = quote(word)
            features += [
                (f"{exact}:AB", boost * EXACT_WEIGHT),
                (f"{exact}:A", boost * EXACT_WEIGHT),
            ]
        if complete:
            features += [
                (f"{folded}:*AB", boost * PREFIX_WEIGHT),
                (f"{folded}:*A", boost * PREFIX_WEIGHT),
            ]
        return features

    def completes(self, word: str) -> bool:
        folded = fold(word)
        return (
            self.complete and len(folded) >= PREFIX_MIN_LENGTH and not folded.isdigit()
        )

    def plain_text(self, text: str, operator: str, boost: float) -> Compiled:
        slots = query_slots(text)
        if not slots:
            return Compiled(None)
        matches, features = [], []
        last = len(slots) - 1
        for i, slot in enumerate(slots):
            typed_parts = []
            marked = any(has_marks(word) for word in slot.words)
            for j, word in enumerate(slot.words):
                complete = i == last and j == len(slot.words) - 1
                complete = complete and self.completes(word)
                folded = quote(fold(word))
                typed_parts.append(_or([folded, f"{folded}:*"]) if complete else folded)
                features += self.word_features(word, boost, complete)
            options = [_and(typed_parts)]
            weight = SYNONYM_WEIGHT if marked else PLAIN_SYNONYM_WEIGHT
            for other in slot.alternatives:
                lexemes = [quote(w if has_marks(w) else fold(w)) for w in other]
                name = _and(lexemes)
                options.append(name)
                # As a typed word: once anywhere, once more in the title.
                features.append((name, boost * weight))
                features.append((_and([f"{x}:A" for x in lexemes]), boost * weight))
            matches.append(_or(options))
        match = _and(matches) if operator == "and" else _or(matches)
        features += self.bonuses(slots, boost)
        code = query_code(text)
        if code is not None:
            lexeme = quote("c:" + code)
            match = _or([match, lexeme])
            features.append((lexeme, boost * CODE_WEIGHT))
        return Compiled(match, features)

    def readings(self, slots):
        typed = [list(slot.words) for slot in slots]
        found = [([w for part in typed for w in part], 1.0)]
        for i, slot in enumerate(slots):
            for other in slot.alternatives:
                parts = [*typed[:i], list(other), *typed[i + 1 :]]
                found.append(([w for part in parts for w in part], SYNONYM_BONUS))
        return found[:8]

    def bonuses(self, slots, boost: float):
        """Side-by-side words and the query starting a title, for the query
        as typed and read with each other name (the last word completed)."""
        features, seen = [], set()
        for index, (reading, weight) in enumerate(self.readings(slots)):
            folded = [fold(word) for word in reading]
            complete = index == 0 and self.completes(reading[-1])
            lexemes = [quote(word) for word in folded]
            if complete:
                lexemes[-1] += ":*"
            pairs = [_phrase(lexemes[i : i + 2]) for i in range(len(lexemes) - 1)]
            for text in pairs:
                if text not in seen:
                    seen.add(text)
                    features.append((text, boost * weight * PAIR_WEIGHT))
            if len(lexemes) > 2:
                features.append((_phrase(lexemes), boost * weight * PHRASE_WEIGHT))
            if len(reading) > 1:
                head = quote(f"h:{folded[0]} {folded[1]}")
                if complete and len(reading) == 2:
                    head += ":*"
                features.append((head, boost * weight * HEAD_WEIGHT))
                first = reading[0] if has_marks(reading[0]) else folded[0]
                features.append(
                    (quote("h:" + first), boost * weight * FIRST_WORD_WEIGHT)
                )
            else:
                word = reading[0] if has_marks(reading[0]) else folded[0]
                features.append((quote("h:" + word), boost * weight * START_WEIGHT))
        return features

    def phrase(self, text: str, boost: float) -> Compiled:
        folded = [quote(fold(word)) for word in words(text)]
        if not folded:
            return Compiled(None)
        match = _phrase(folded)
        return Compiled(
            match, [(match, boost), (_phrase([f"{w}:A" for w in folded]), boost)]
        )


class AutocompleteTsQueryBuilder(TsQueryBuilder):
    """Whole words, the last one also as a prefix; folded only."""

    def plain_text(self, text: str, operator: str, boost: float) -> Compiled:
        terms = [quote(fold(word)) for word in words(text)]
        if not terms:
            return Compiled(None)
        last = terms[-1]
        parts = [*terms[:-1], f"({last} | {last}:*)"]
        match = _and(parts) if operator == "and" else _or(parts)
        # A finished word beats a word it is the start of.
        features = [(term, boost) for term in terms] + [(last, boost)]
        return Compiled(match, features)

    def phrase(self, text: str, boost: float) -> Compiled:
        return self.plain_text(text, "and", boost)


def merged(features) -> list[tuple[str, float]]:
    """Features with the same tsquery as one, their weights added."""
    found: dict[str, float] = {}
    for text, weight in features:
        found[text] = found.get(text, 0.0) + weight
    return list(found.items())


class Matches(Func):
    """``vector @@ 'tsquery text'::tsquery``; the column is compiled by Django
    (so it keeps its alias inside sub-selects), the query is a parameter."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, query: str):
        super().__init__(F(column))
        self.query = query

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"({column} @@ %s::tsquery)", [*params, self.query]


class FeatureScore(Func):
    """The sum of the weights of the features the vector matches."""

    output_field = FloatField()

    def __init__(self, column: str, features):
        super().__init__(F(column))
        self.features = merged(features)

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        if not self.features:
            return "0.0", []
        parts, params = [], []
        for text, weight in self.features:
            # Summed as integers (weight × SCORE_SCALE), divided once: integer
            # addition is exact (equal sums tie, then the id decides) and
            # cheaper per row than numeric. `weight` is a float we computed,
            # formatted as an integer: never user text.
            units = round(weight * SCORE_SCALE)
            parts.append(
                f"(CASE WHEN {column} @@ %s::tsquery THEN {units:d} ELSE 0 END)"
            )
            params += [*column_params, text]
        return f"(({' + '.join(parts)}) / {SCORE_SCALE:d}.0)", params


class NguonQueSearchQueryCompiler(stock.PostgresSearchQueryCompiler):
    column = "body"
    builder_class = TsQueryBuilder

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.simplified = simplify(self.query)

    @property
    def own_path(self) -> bool:
        """Whether our vectors answer it; `fields=` and Fuzzy go to the stock
        compiler (with the nguonque_vi configuration)."""
        return self.fields is None and not isinstance(self.simplified, Fuzzy)

    def compiled(self, backend) -> Compiled:
        if not hasattr(self, "_compiled"):
            weights = frozenset(
                weight_for(spec.boost)
                for spec in field_specs(self.queryset.model, SearchField)
            )
            builder = self.builder_class(
                complete=backend.complete_last_word, weights=weights
            )
            self._compiled = builder.build(self.simplified)
        return self._compiled

    def _process_lookup(self, field_path, lookup, value):
        if len(field_path) != 1 or lookup != "exact" or not isinstance(value, bool):
            raise NotInIndex
        attname = field_path[0].get_attname(self.queryset.model)
        if attname not in self._index_filters:
            raise NotInIndex
        return quote(f"f:{attname}:{'t' if value else 'f'}")

    def _process_match_none(self):
        raise NotInIndex

    def _connect_filters(self, filters, connector, negated):
        if negated or connector != "AND":
            raise NotInIndex
        return _and([part for part in filters if part is not None])

    def index_filter(self, backend) -> str | None:
        """The tsquery the index answers the queryset's filters with ("" for
        none), or None when the database must check them: exact matches on
        the boolean FilterFields in the backend's INDEX_FILTERS (``live``)."""
        if not backend.index_filters:
            return None
        self._index_filters = backend.index_filters
        try:
            found = self._get_filters_from_queryset()
        except (NotInIndex, FilterError, FilterFieldError):
            return None
        return found or ""

    def entries(self, backend):
        """IndexEntry rows of the queryset's objects that match, with their
        score as ``_score``."""
        compiled = self.compiled(backend)
        model = self.queryset.model
        answered = self.index_filter(backend)
        entries = IndexEntry._default_manager.using(self.queryset.db).filter(
            Matches(self.column, _and([compiled.match, answered])),
            content_type_id__in=get_descendants_content_types_pks(model),
        )
        # With `answered`, `live()` and the like come from the vectors (every
        # publish and unpublish re-indexes the page): no look-up of the page
        # rows; the page's objects are still read through the queryset.
        if answered is None and integer_pk(model):
            # The entry's key read as the model's integer key: the planner
            # looks each match up by primary key instead of hashing every
            # row the queryset allows (465 → 60 ms at 65 000 products).
            entries = entries.alias(
                _nq_pk=Cast("object_id", output_field=BigIntegerField())
            ).filter(_nq_pk__in=self.queryset.order_by().values("pk"))
        elif answered is None:
            pks = self.queryset.order_by().annotate(
                _nq_pk=Cast("pk", output_field=TextField())
            )
            entries = entries.filter(object_id__in=pks.values("_nq_pk"))
        return entries.alias(_score=FeatureScore(self.column, compiled.features))

    def search(self, config, start, stop, score_field=None, backend=None):
        if not self.own_path:
            return super().search(config, start, stop, score_field, backend)
        if isinstance(self.simplified, MatchAll):
            return self.queryset[start:stop]
        if self.simplified is NOTHING or self.compiled(backend).match is None:
            return self.queryset.none()
        entries = self.entries(backend)
        if self.order_by_relevance:
            if stop is not None and stop <= TOP_ROWS:
                rows = self.top(backend)[0][start:stop]
            else:
                rows = list(
                    entries.annotate(_s=F("_score"))
                    .order_by("-_s", "object_id")
                    .values_list("object_id", "_s")[start:stop]
                )
            return RankedPage(self.queryset, rows, score_field)
        queryset = self.queryset
        if not queryset.query.order_by:
            queryset = queryset.order_by("-pk")
        matched = queryset.annotate(_nq_pk=Cast("pk", output_field=TextField())).filter(
            _nq_pk__in=entries.values("object_id")
        )
        if score_field:
            matched = matched.annotate(**{score_field: Value(0.0)})
        return matched[start:stop]

    def top(self, backend):
        """The first TOP_ROWS (object id, score) rows and the number of all
        matches, from one statement (``COUNT(*) OVER ()``): a search page's
        count and first pages cost one ranking, not two."""
        if not hasattr(self, "_top"):
            inner = self.entries(backend).annotate(_s=F("_score"))
            sql, params = inner.values_list("object_id", "_s").query.sql_with_params()
            # Scored in the sub-select, counted and sorted outside it: the
            # window then carries (id, score) pairs, not the vectors.
            outer = (
                "SELECT ranked.*, COUNT(*) OVER () FROM ("  # noqa: S608 - Django's SQL
                f"{sql} OFFSET 0) AS ranked ORDER BY 2 DESC, 1 LIMIT {TOP_ROWS:d}"
            )
            with (
                transaction.atomic(using=self.queryset.db),
                connections[self.queryset.db].cursor() as cursor,
            ):
                # SET LOCAL of every setting in one round trip.
                cursor.execute(
                    "SELECT "
                    + ", ".join("set_config(%s, %s, true)" for _ in PLANNER_SETTINGS),
                    [part for setting in PLANNER_SETTINGS for part in setting],
                )
                cursor.execute(outer, params)
                rows = cursor.fetchall()
            total = rows[0][2] if rows else 0
            self._top = ([(object_id, score) for object_id, score, _ in rows], total)
        return self._top

    def count(self, backend):
        if self.order_by_relevance:
            return self.top(backend)[1]
        return self.entries(backend).count()


def integer_pk(model) -> bool:
    field = model._meta.pk
    while field.is_relation:
        field = field.target_field
    return isinstance(field, IntegerField | AutoFieldMixin)


class RankedPage:
    """A page of objects in the order of (object id, score) rows."""

    def __init__(self, queryset, rows, score_field):
        self.queryset, self.rows, self.score_field = queryset, rows, score_field

    def __iter__(self):
        pk_field = self.queryset.model._meta.pk
        keys = [pk_field.to_python(object_id) for object_id, _ in self.rows]
        found = self.queryset.in_bulk(keys)
        for key, (_id, score) in zip(keys, self.rows, strict=True):
            obj = found.get(key)
            if obj is None:
                continue
            if self.score_field:
                setattr(obj, self.score_field, float(score))
            yield obj

    def count(self):
        return len(list(self))


class NguonQueAutocompleteQueryCompiler(
    NguonQueSearchQueryCompiler, stock.PostgresAutocompleteQueryCompiler
):
    column = "autocomplete"
    builder_class = AutocompleteTsQueryBuilder


class NguonQueSearchResults(stock.PostgresSearchResults):
    def _do_count(self):
        compiler = self.query_compiler
        if not compiler.own_path:
            return super()._do_count()
        if isinstance(compiler.simplified, MatchAll):
            return compiler.queryset[self.start : self.stop].count()
        if (
            compiler.simplified is NOTHING
            or compiler.compiled(self.backend).match is None
        ):
            return 0
        total = compiler.count(self.backend)
        total = max(total - self.start, 0)
        return total if self.stop is None else min(total, self.stop - self.start)

    def facet(self, field_name):
        compiler = self.query_compiler
        if not compiler.own_path:
            return super().facet(field_name)
        if compiler._get_filterable_field(field_name) is None:
            return super().facet(field_name)
        queryset = compiler.queryset.order_by()
        if compiler.simplified is NOTHING or (
            not isinstance(compiler.simplified, MatchAll)
            and compiler.compiled(self.backend).match is None
        ):
            return OrderedDict()
        if not isinstance(compiler.simplified, MatchAll):
            ids = compiler.entries(self.backend).values("object_id")
            queryset = queryset.annotate(
                _nq_pk=Cast("pk", output_field=TextField())
            ).filter(_nq_pk__in=ids)
        rows = (
            queryset.values(field_name).annotate(count=Count("pk")).order_by("-count")
        )
        return OrderedDict((row[field_name], row["count"]) for row in rows)


class NguonQueIndex(stock.PostgresIndex):
    direct = False  # a rebuild writes its chunks itself

    def add_items(self, model, objs):
        if not model.get_search_fields():
            return
        content_type = get_content_type_pk(model)
        rows = [(content_type, entry_row(obj)) for obj in objs]
        if rows:
            self._write(upserts=rows, deletes=[])

    def delete_item(self, item):
        model = type(item)
        content_types = sorted(
            set(get_descendants_content_types_pks(model)) | {get_content_type_pk(model)}
        )
        self._write(upserts=[], deletes=[(content_types, force_str(item.pk))])

    def _write(self, *, upserts, deletes):
        alias = self.write_connection.alias
        if self.direct:
            write_rows(alias, upserts=upserts, deletes=deletes)
        else:
            self.backend.submit_write(alias, upserts=upserts, deletes=deletes)


def analyze(index) -> None:
    """Fresh planner statistics after a rebuild: with the estimates of an
    empty table PostgreSQL hashes the whole catalogue for every search.
    Outside a transaction also VACUUM: the rewritten rows' visibility is
    settled at once, not by the first searches or a later autovacuum."""
    connection = index.write_connection
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {IndexEntry._meta.db_table}")


class NguonQueRebuilder(stock.PostgresSearchRebuilder):
    def start(self):
        index = super().start()
        index.direct = True
        return index

    def finish(self):
        self.index.direct = False
        analyze(self.index)


class NguonQueAtomicRebuilder(stock.PostgresSearchAtomicRebuilder):
    def start(self):
        index = super().start()
        index.direct = True
        return index

    def finish(self):
        self.index.direct = False
        self.transaction.__exit__(None, None, None)
        self.transaction_opened = False
        analyze(self.index)


class NguonQueSearchBackend(stock.PostgresSearchBackend):
    query_compiler_class = NguonQueSearchQueryCompiler
    autocomplete_query_compiler_class = NguonQueAutocompleteQueryCompiler
    index_class = NguonQueIndex
    results_class = NguonQueSearchResults
    rebuilder_class = NguonQueRebuilder
    atomic_rebuilder_class = NguonQueAtomicRebuilder
    catch_indexing_errors = True

    def __init__(self, params):
        params = {"SEARCH_CONFIG": CONFIG, **params}
        super().__init__(params)
        self.autocomplete_config = self.config
        # As the Whoosh backend: the last word of `search()` also matches the
        # words it starts; False keeps modelsearch's whole-word contract.
        self.complete_last_word = bool(params.get("COMPLETE_LAST_WORD", True))
        # Boolean FilterFields the vectors answer (as the Whoosh backend's
        # INDEX_FILTERS); only fields every change re-indexes belong here.
        self.index_filters = frozenset(params.get("INDEX_FILTERS", ("live",)))

    def submit_write(self, alias, *, upserts, deletes):
        from .tasks import enqueue_postgres_write

        result = enqueue_postgres_write(alias=alias, upserts=upserts, deletes=deletes)
        if result is not None and result.is_finished and result.errors:
            from .backend import IndexWriteError

            raise IndexWriteError(result.errors[-1].traceback)
        return result


SearchBackend = NguonQueSearchBackend
