"""The PostgreSQL engine (cms.search.postgres): its text search configuration,
and the index following the catalogue through the one write task. The
relevance and shopper tests run against it with SEARCH_BACKEND=postgres
(tests/cms/search/engines.py); modelsearch's BackendTests in
test_conformance.py."""

import re

import pytest
from django.db import connection
from modelsearch.backends import get_search_backend

from cms.search.analysis import fold
from market.models import ProductPage
from tests.factories import SellerFactory, product_create

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the engine is PostgreSQL full text"
)

ENGINE = {"default": {"BACKEND": "cms.search.postgres"}}


@pytest.fixture
def engine(settings):
    settings.WAGTAILSEARCH_BACKENDS = ENGINE
    settings.MODELSEARCH_BACKENDS = ENGINE
    return get_search_backend()


def titles(query):
    return [p.title for p in ProductPage.objects.live().search(query)]


def test_the_migration_made_nguonque_vi_fold_marks_and_d(db):
    text = "Đường phèn Nước mắm Đà Nẵng Hướng Đạo"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('nguonque_vi', %s)::text", [text])
        vector = cursor.fetchone()[0]
    # Marks gone, đ → d, lower case, nothing stemmed or dropped.
    for word in ("duong", "phen", "nuoc", "mam", "da", "nang", "huong", "dao"):
        assert f"'{word}'" in vector
    # The same folding as the Python analysis the documents are built with.
    found = {
        f"{lexeme}:{pos}" for lexeme, pos in re.findall(r"'([^']+)':(\d+)", vector)
    }
    assert found == {f"{fold(word)}:{i}" for i, word in enumerate(text.split(), 1)}


def test_publish_unpublish_and_delete_reach_the_index(engine, db):
    product = product_create(
        seller=SellerFactory(legal_name="HTX Chè Tân Cương"),
        title="Chè búp Tân Cương",
        variants=[("200 g", 120_000, 5)],
    )
    assert titles("che tan cuong") == ["Chè búp Tân Cương"]
    assert titles("chè búp") == ["Chè búp Tân Cương"]
    assert titles("htx") == ["Chè búp Tân Cương"]  # the seller's name

    product.title = "Trà búp Tân Cương"
    product.save_revision().publish()
    assert titles("tra bup") == ["Trà búp Tân Cương"]

    product.unpublish()
    assert titles("tra bup") == []

    pk = product.pk
    product.delete()
    from modelsearch.backends.database.postgres.postgres import IndexEntry

    assert not IndexEntry.objects.filter(object_id=str(pk)).exists()


def test_with_a_task_queue_a_write_waits_for_the_commit(
    engine, db, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "search"],
        }
    }
    writes = DBTaskResult.objects.filter(
        task_path="cms.search.tasks.postgres_index_write"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        engine.submit_write("default", upserts=[], deletes=[[[1], "1"]])
        assert not writes.exists()
    for callback in callbacks:
        callback()
    assert writes.count() == 1
    assert writes.get().queue_name == "search"
