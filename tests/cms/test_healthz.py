"""`/healthz` (issue 14): the database, the cache and the task queue, each
with its status; 200 when all are ok, 503 naming the failed one."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.health import check_cache
from market.tasks import notify_expiring_certificates
from tests.concurrency import at_once, errors_of
from tests.production_env import production_settings

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def closed_port() -> int:
    """A port nobody listens on: connecting to it is refused for real."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_all_ok_answers_200_with_each_component(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert {name: c["status"] for name, c in body["components"].items()} == {
        "database": "ok",
        "cache": "ok",
        "queue": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_cache_down_answers_503_naming_the_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/3",
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["components"]["cache"]["error"] == "ConnectionError"
    assert body["components"]["database"]["status"] == "ok"


def test_probes_at_once_on_a_shared_redis_all_answer_ok(settings):
    """Two load balancers (or several workers) probing together once read
    each other's cache value and answered 503 now and then."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis server listening on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/9",
            "KEY_PREFIX": f"healthz-{os.getpid()}",
        }
    }

    outcomes = at_once(8, lambda n: [check_cache() for _ in range(40)])

    assert errors_of(outcomes) == []
    failures = [r for results in outcomes for r in results if r["status"] != "ok"]
    assert failures == []


def test_a_task_nobody_runs_makes_the_queue_stale(client, settings):
    settings.TASKS = DATABASE_QUEUE
    settings.HEALTHZ_QUEUE_STALE_MINUTES = 10
    result = notify_expiring_certificates.enqueue()
    assert client.get("/healthz").status_code == 200  # just enqueued: fine

    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=25)
    )
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["queue"]
    assert body["components"]["queue"]["status"] == "stale"
    assert body["components"]["queue"]["oldest_ready_minutes"] == 25


def test_a_task_delayed_into_the_future_is_not_stale(client, settings):
    settings.TASKS = DATABASE_QUEUE
    result = notify_expiring_certificates.using(
        run_after=timezone.now() + dt.timedelta(hours=2)
    ).enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - dt.timedelta(hours=1)
    )

    assert client.get("/healthz").status_code == 200


def test_database_down_answers_503_naming_the_database(tmp_path):
    # A fresh process whose database refuses connections (nothing listens).
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, r.content.decode())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/nq_ops",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    status, _space, body = done.stdout.strip().partition(" ")
    assert status == "503", done.stderr[-2000:]
    report = json.loads(body)
    assert report["failed"] == ["database"]  # tasks run immediately here
    assert report["components"]["database"]["error"] == "OperationalError"
    assert report["components"]["cache"]["status"] == "ok"


def test_production_does_not_redirect_the_probe_to_https():
    assert production_settings()["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]
