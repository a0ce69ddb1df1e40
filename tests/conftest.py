from pathlib import Path

import pytest

# One Chromium per session for every folder (see tests/browser/support.py).
from tests.browser.support import browser, page  # noqa: F401


def pytest_collection_modifyitems(items):
    """Browser tests are slow and do not depend on the database engine."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, counting the requests it still answers
    (tests/live.py: a test that starts requests waits for them to end)."""
    from tests.live import count_requests

    count_requests(live_server)
    return live_server


@pytest.fixture
def home_page(db):
    from cms.demo import seed_site

    return seed_site()


@pytest.fixture
def tariffs(db):
    from tests.factories import tariffs_create

    tariffs_create()


@pytest.fixture
def customer():
    from market.checkout.services import Customer

    return Customer(name="Trần Thị Mai", phone="0912 345 678", email="mai@example.vn")


@pytest.fixture
def hanoi_address():
    from market.checkout.services import ShippingAddress
    from tests.factories import HA_NOI, HANOI_WARD

    return ShippingAddress(
        province_code=HA_NOI, ward_code=HANOI_WARD, line="12 ngõ 34 Đội Cấn"
    )


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
