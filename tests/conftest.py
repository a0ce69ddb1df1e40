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
        transactional = bool(marker and marker.kwargs.get("transaction")) or any(
            name in getattr(item, "fixturenames", ())
            for name in ("transactional_db", "live_server")
        )
        if not transactional:
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(
            pytest.mark.django_db(*marker.args if marker else (), **kwargs),
            append=False,
        )


@pytest.fixture
def home_page(db):
    from cms.demo import seed_site

    return seed_site()
