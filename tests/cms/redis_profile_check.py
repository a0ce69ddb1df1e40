"""Run by test_redis_profile.py in a child process with REDIS_URL set: uses
the cache, a session and the search task queue, and prints what it found
in Redis as one JSON line. Not a test module (no test_ prefix)."""

import json

import django
from django.conf import settings

django.setup()

from django.contrib.sessions.models import Session  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402
from django_rq import get_connection, get_queue  # noqa: E402

from cms.search.tasks import (  # noqa: E402
    SEARCH_QUEUE,
    enqueue_index_write,
    enqueue_postgres_write,
)

redis = get_connection("default")
queue = get_queue(SEARCH_QUEUE)
queue.empty()
seen = {
    "cache_backend": settings.CACHES["default"]["BACKEND"],
    "session_engine": settings.SESSION_ENGINE,
    "tasks_backend": settings.TASKS["default"]["BACKEND"],
}

cache.set("redis-profile-check", "nước mắm", 30)
seen["cache_roundtrip"] = cache.get("redis-profile-check")
seen["cache_key_in_redis"] = any(
    key.endswith(b"redis-profile-check") for key in redis.keys("*redis-profile-check")
)
cache.delete("redis-profile-check")

# Only the session table (a full migrate would seed the whole site).
with connection.schema_editor() as editor:
    editor.create_model(Session)
store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
store["gio_hang"] = [1, 2]
store.save()
key = store.session_key
seen["session_in_redis"] = bool(redis.keys(f"*{key}"))
seen["session_in_database"] = Session.objects.filter(session_key=key).exists()
seen["session_reloaded"] = dict(
    import_string(settings.SESSION_ENGINE + ".SessionStore")(key).load()
)
store.delete()

enqueue_index_write(path=str(settings.SEARCH_INDEX_PATH), upserts=[], deletes=["1"])
enqueue_postgres_write(alias="default", upserts=[], deletes=[[[1], "1"]])
seen["search_queue_jobs"] = queue.count
seen["search_job_function"] = queue.jobs[-1].func_name
queue.empty()
print(json.dumps(seen))
