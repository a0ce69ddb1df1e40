"""Wagtail's database backend (SQLite FTS5, PostgreSQL full text, MySQL) with
the same query-time synonym table and code forms as the Whoosh backend.

    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search.database"}}

Only the query changes: a plain-text search becomes `synonyms.expanded_query`
(each word or its other names, a GTIN also in its 14-digit form), which the
database backend compiles like any other query object. Accent folding,
prefixes of the last word and the title bonus are the Whoosh backend's own.
"""

from __future__ import annotations

from modelsearch.backends import database

from .synonyms import expanded_query


class ExpandedQueries:
    """Mixin for a modelsearch backend: string queries are expanded."""

    def search(
        self,
        query,
        model_or_queryset,
        fields=None,
        operator=None,
        order_by_relevance=True,
    ):
        if isinstance(query, str) and query.strip():
            query = expanded_query(query, (operator or "and").lower())
            operator = None
        return super().search(
            query,
            model_or_queryset,
            fields=fields,
            operator=operator,
            order_by_relevance=order_by_relevance,
        )


_classes: dict[type, type] = {}


def SearchBackend(params):  # the name modelsearch looks up
    """The database backend modelsearch picks for this database, expanded."""
    backend = database.SearchBackend(params)
    base = type(backend)
    if base not in _classes:
        _classes[base] = type(f"Expanded{base.__name__}", (ExpandedQueries, base), {})
    return _classes[base](params)
