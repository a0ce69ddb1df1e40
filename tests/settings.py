"""Test settings: the real settings, with only what tests need changed."""

import os
import tempfile

# Each test process (each pytest-xdist worker) has its own search index and
# media folders; a subprocess a test starts inherits its process's folders.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
if os.environ.get("NQ_TEST_WORKER") != _worker:
    os.environ["NQ_TEST_WORKER"] = _worker
    os.environ["SEARCH_INDEX_PATH"] = tempfile.mkdtemp(prefix="nq-search-")
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="nq-media-")

from cms.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Off: the cache outlives each test's rollback; tests/cache turns it on.
PAGE_CACHE_SECONDS = 0
SESSION_ENGINE = "django.contrib.sessions.backends.db"
ALLOWED_HOSTS = ["*"]
SITE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_URL
DEBUG = False
