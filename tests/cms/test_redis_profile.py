"""The production profile on the real Redis at 127.0.0.1:6379 (database 5):
with REDIS_URL set, the cache, the sessions and the task queue live there.

Settings are read once per process, so the profile runs in a child process
with REDIS_URL in its environment (tests/cms/redis_profile_check.py)."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
REDIS_URL = "redis://127.0.0.1:6379/5"


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not _redis_up(), reason="no Redis server listening on 127.0.0.1:6379"
)


def test_cache_sessions_and_tasks_go_to_redis(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SEARCH_INDEX_PATH": str(tmp_path / "search"),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(Path(__file__).with_name("redis_profile_check.py"))],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["cache_backend"] == "django.core.cache.backends.redis.RedisCache"
    # A value cached by Django is a key in Redis database 5.
    assert seen["cache_roundtrip"] == "nước mắm"
    assert seen["cache_key_in_redis"]
    # A session survives through the cache and the database both.
    assert seen["session_engine"] == "django.contrib.sessions.backends.cached_db"
    assert seen["session_in_redis"]
    assert seen["session_in_database"]
    assert seen["session_reloaded"] == {"gio_hang": [1, 2]}
    # Index writes wait on the "search" queue for the one worker; other
    # tasks on "default".
    assert seen["tasks_backend"] == "django_tasks_rq.RQBackend"
    assert seen["search_queue_jobs"] == 2
    assert seen["search_job_function"].endswith("postgres_index_write")
