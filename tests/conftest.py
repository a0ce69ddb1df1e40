import pytest


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """Transactional tests truncate the tables (and serialized_rollback
    reloads them with new ids); a content type cached in memory would then
    point at nothing for the next test, and Wagtail's reference index writes
    content type ids. Every test starts and ends with an empty cache."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def home_page(db):
    from cms.demo import seed_site

    return seed_site()
