from pathlib import Path

import pytest

# One Chromium per session for every folder (see tests/browser/support.py).
from tests.browser.support import browser, page  # noqa: F401


def pytest_collection_modifyitems(items):
    """Every transactional test restores the database as migrations left it.

    A transactional test ends with a flush that empties every table; Django
    then re-creates content types and permissions with new ids but not
    Wagtail's root page, locale and collection (those come from data
    migrations). Mixing tests that restore the serialized database with tests
    that don't makes whichever runs next fail. So one rule for all: any test
    that uses transactions or the live server gets `serialized_rollback`.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if not _is_transactional(item):
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(
            pytest.mark.django_db(*marker.args if marker else (), **kwargs),
            append=False,
        )


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or any(
        name in getattr(item, "fixturenames", ())
        for name in ("transactional_db", "live_server")
    )


@pytest.fixture(autouse=True)
def _wagtail_roots(request):
    """Transactional tests start with Wagtail's locale, root page and root
    collection present, whatever an earlier test's flush left behind (a
    serialized rollback has been seen not to bring the root page back after
    some sequences of live-server tests)."""
    if not _is_transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    locale, _ = Locale.objects.get_or_create(language_code=language)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def home_page(db):
    from cms.demo import seed_site

    return seed_site()


@pytest.fixture(autouse=True)
def _empty_search_index():
    """Each test ends by emptying the search indexes it wrote to. The
    database rolls back after a test; the index on disk does not, and a
    document left by one test would count in the next one's searches."""
    yield
    from django.conf import settings
    from whoosh.filedb.filestore import FileStorage

    from cms.search import store

    if not getattr(settings, "SEARCH_INDEX_PATH", None):
        return  # the conformance suite's settings: its indexes are its own
    root = Path(settings.SEARCH_INDEX_PATH)
    for link in root.iterdir() if root.is_dir() else ():
        if link.is_symlink():
            if FileStorage(str(link.resolve())).open_index().latest_generation():
                store.reset(str(link))
