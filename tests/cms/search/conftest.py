import pytest

from tests.cms.search.catalogue import build_catalogue


@pytest.fixture
def catalogue(db):
    """The judged catalogue, indexed through the ordinary save signals."""
    return build_catalogue()
