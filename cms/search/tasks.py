"""The one path by which the live search index is written.

Whoosh allows a single writer per index. Every add, update and delete is a
call of `index_write`; in production it runs on the ``search`` queue, served
by one RQ worker, so writes never queue behind each other's locks. With the
immediate backend (embedded profile, tests) it runs in the caller's thread,
and `cms.search.store.write` still serialises threads and processes with a
lock that has a timeout.
"""

from __future__ import annotations

import functools

from django.db import transaction
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from . import store

SEARCH_QUEUE = "search"


@task()
def index_write(*, path: str, upserts: list[dict], deletes: list[str]) -> int:
    """Apply one batch of document upserts and deletions to the index at `path`
    in one commit; returns the number of documents written."""
    return store.write(path, upserts=upserts, deletes=deletes)


def enqueue_index_write(*, path: str, upserts: list[dict], deletes: list[str]):
    """Queue a write on the ``search`` queue when the task backend has one,
    on the default queue otherwise.

    A queued write waits for the current transaction to commit (and returns
    None): a save that is rolled back never reaches the index. The immediate
    backend (tests, no worker) still writes at once, inside the transaction.
    """
    return _enqueue(index_write, path=path, upserts=upserts, deletes=deletes)


def _enqueue(write_task, **kwargs):
    backend = write_task.get_backend()
    queued = write_task
    if SEARCH_QUEUE in getattr(backend, "queues", ()):
        queued = write_task.using(queue_name=SEARCH_QUEUE)
    if isinstance(backend, ImmediateBackend):
        return queued.enqueue(**kwargs)
    transaction.on_commit(functools.partial(queued.enqueue, **kwargs))
    return None


@task()
def postgres_index_write(*, alias: str, upserts: list, deletes: list) -> int:
    """Apply one batch of rows to the PostgreSQL search table (`cms.search.
    postgres`): the same single path as `index_write`."""
    from .postgres import write_rows

    return write_rows(alias, upserts=upserts, deletes=deletes)


def enqueue_postgres_write(*, alias: str, upserts: list, deletes: list):
    """As `enqueue_index_write`, for the PostgreSQL backend."""
    return _enqueue(postgres_index_write, alias=alias, upserts=upserts, deletes=deletes)
