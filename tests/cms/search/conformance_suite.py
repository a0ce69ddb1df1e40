"""modelsearch's BackendTests run against cms.search.backend (Whoosh) or, with
CONFORMANCE_BACKEND=postgres, against cms.search.postgres.

Not collected by the main session (the file name does not start with test_):
test_conformance.py runs it in a child process with
tests/search_conformance_settings.py.
"""

import os

from django.db import connection
from django.test import TestCase
from modelsearch.tests.test_backends import BackendTests

if os.environ.get("CONFORMANCE_BACKEND") == "postgres":

    class TestPostgresEngine(BackendTests, TestCase):
        backend_path = "cms.search.postgres"

        @classmethod
        def setUpClass(cls):
            # These settings run no cms migrations: create nguonque_vi here.
            from cms.search.postgres import ensure_config

            ensure_config(connection)
            super().setUpClass()

else:

    class TestWhooshBackend(BackendTests, TestCase):
        backend_path = "cms.search.backend"
