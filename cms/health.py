"""What `/healthz` checks: the database, the cache and the task queue.

Each check is cheap (one query or one round trip) and returns a dict with
`status` ("ok", "fail" or, for the queue, "stale") and what was found; a
failure names the exception class, never a secret or a connection string.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Min
from django.utils import timezone


def _failure(error: Exception) -> dict:
    return {"status": "fail", "error": type(error).__name__}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return _failure(error)
    return {"status": "ok", "vendor": connection.vendor}


def check_cache() -> dict:
    # A key of this check's own: probes running at once (two load balancers,
    # several workers) must not read each other's value as a failure.
    token = secrets.token_hex(8)
    key = f"healthz:{token}"
    try:
        cache.set(key, token, timeout=10)
        if cache.get(key) != token:
            return {"status": "fail", "error": "value not read back"}
        cache.delete(key)
    except Exception as error:
        return _failure(error)
    return {"status": "ok"}


def _stale(oldest: dt.datetime | None, *, backend: str) -> dict:
    if oldest is None:
        return {"status": "ok", "backend": backend, "oldest_ready_minutes": None}
    if timezone.is_naive(oldest):  # RQ stores UTC without a zone
        oldest = oldest.replace(tzinfo=dt.UTC)
    age = timezone.now() - oldest
    minutes = max(0, int(age.total_seconds() // 60))
    # A READY task due this long means no worker is taking the queue.
    stale_after = dt.timedelta(minutes=settings.HEALTHZ_QUEUE_STALE_MINUTES)
    status = "stale" if age > stale_after else "ok"
    return {"status": status, "backend": backend, "oldest_ready_minutes": minutes}


def _database_queue() -> dict:
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.ready().filter(backend_name="default")
    # A task without a delay waits since it was enqueued, a delayed one
    # since its run_after.
    undelayed = ready.filter(run_after=get_date_max()).aggregate(
        oldest=Min("enqueued_at")
    )["oldest"]
    delayed = ready.exclude(run_after=get_date_max()).aggregate(
        oldest=Min("run_after")
    )["oldest"]
    oldest = min((t for t in (undelayed, delayed) if t), default=None)
    return _stale(oldest, backend="database")


def _rq_queue() -> dict:
    import django_rq

    oldest = None
    for name in settings.RQ_QUEUES:
        queue = django_rq.get_queue(name)
        queue.connection.ping()
        job_ids = queue.get_job_ids(0, 0)
        job = queue.fetch_job(job_ids[0]) if job_ids else None
        if job and job.enqueued_at and (oldest is None or job.enqueued_at < oldest):
            oldest = job.enqueued_at
    return _stale(oldest, backend="rq")


def check_queue() -> dict:
    backend = settings.TASKS["default"]["BACKEND"]
    try:
        if backend == "django_tasks_db.DatabaseBackend":
            return _database_queue()
        if backend == "django_tasks_rq.RQBackend":
            return _rq_queue()
    except Exception as error:
        return _failure(error)
    # Immediate tasks run inside the request: there is no queue to fall behind.
    return {"status": "ok", "backend": backend.rsplit(".", 1)[-1]}


CHECKS = {"database": check_database, "cache": check_cache, "queue": check_queue}


def health() -> dict:
    components = {name: check() for name, check in CHECKS.items()}
    failed = [name for name, result in components.items() if result["status"] != "ok"]
    return {
        "status": "ok" if not failed else "fail",
        "failed": failed,
        "components": components,
    }
