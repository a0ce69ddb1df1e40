"""modelsearch's BackendTests run against cms.search.backend.

Not collected by the main session (the file name does not start with test_):
test_conformance.py runs it in a child process with
tests/search_conformance_settings.py.
"""

from django.test import TestCase
from modelsearch.tests.test_backends import BackendTests


class TestWhooshBackend(BackendTests, TestCase):
    backend_path = "cms.search.backend"
