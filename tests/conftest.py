import pytest


@pytest.fixture
def home_page(db):
    from cms.demo import seed_site

    return seed_site()
