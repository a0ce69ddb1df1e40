"""Which engine the search tests call "default".

Whoosh, the embedded default; or, when the run sets SEARCH_BACKEND=postgres
on a PostgreSQL database, the shared engine (`cms.search.postgres`), so the
same relevance and behaviour tests hold it to the same bar:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nq_x SEARCH_BACKEND=postgres \\
        .venv/bin/python -m pytest tests/cms/search/
"""

from django.conf import settings
from django.db import connection


def postgres_engine() -> bool:
    return (
        getattr(settings, "SEARCH_BACKEND", "whoosh") == "postgres"
        and connection.vendor == "postgresql"
    )


def engine_entry(tmp_path, **extra) -> dict:
    if postgres_engine():
        return {"BACKEND": "cms.search.postgres", **extra}
    return {"BACKEND": "cms.search.backend", "PATH": str(tmp_path / "index"), **extra}


SHARED_TABLE = (
    "the PostgreSQL engine and Wagtail's database backend write the same "
    "modelsearch table; bench/search.py compares them on separate databases"
)


def engine_backends(tmp_path) -> dict:
    """ "default" (the engine under test) and, unless it is the PostgreSQL
    engine, Wagtail's database backend as "db"; neither updated by signals
    (the tests rebuild them with update_index)."""
    backends = {"default": engine_entry(tmp_path, AUTO_UPDATE=False)}
    if not postgres_engine():
        backends["db"] = {"BACKEND": "cms.search.database", "AUTO_UPDATE": False}
    return backends


def skip_database_backend():
    """Skip a check of the "db" backend when the PostgreSQL engine runs."""
    import pytest

    if postgres_engine():
        pytest.skip(SHARED_TABLE)
