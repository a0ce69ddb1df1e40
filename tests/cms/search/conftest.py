import pytest


@pytest.fixture
def catalogue(db):
    """The judged catalogue, indexed through the ordinary save signals."""
    # Imported here: conformance_suite.py runs under other settings, without
    # the market app, and this file is loaded for it too.
    from tests.cms.search.catalogue import build_catalogue

    return build_catalogue()
