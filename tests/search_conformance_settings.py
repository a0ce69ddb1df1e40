"""Settings for running modelsearch's own backend test suite (BackendTests)
against cms.search.backend: modelsearch's test models instead of ours.

Used by tests/cms/search/test_conformance.py in a child pytest process, since
one process can only hold one set of INSTALLED_APPS.
"""

import os
import tempfile
from pathlib import Path

from tests.shared_files import shared_file

BASE_DIR = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = Path(
    os.environ.get(
        "MODELSEARCH_FIXTURE_DIR",
        shared_file("standards", "modelsearch"),
    )
)

SECRET_KEY = "conformance-tests-only"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = [
    "modelsearch.test.testapp",
    "modelsearch",
    "taggit",
    "django_tasks",
    "django.contrib.auth",
    "django.contrib.contenttypes",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
FIXTURE_DIRS = [str(SHARED_FIXTURES)]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MODELSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "cms.search.backend",
        "PATH": tempfile.mkdtemp(prefix="nq-conformance-"),
        # The suite holds `search()` to whole words (test_incomplete_plain_text);
        # the site's last-word completion is switched off for it.
        "COMPLETE_LAST_WORD": False,
    }
}
# CONFORMANCE_BACKEND=postgres: the PostgreSQL engine on DATABASE_URL's server.
if os.environ.get("CONFORMANCE_BACKEND") == "postgres":
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    MODELSEARCH_BACKENDS = {
        "default": {"BACKEND": "cms.search.postgres", "COMPLETE_LAST_WORD": False}
    }
