"""The index follows the catalogue: publish, edit, unpublish, move, delete,
stock and variant changes, all through the one write task."""

import pytest
from django.db import transaction
from modelsearch.backends import get_search_backend

from cms.search import store
from cms.search.tasks import index_write
from market.models import ProductPage, Stock
from tests.cms.search.engines import postgres_engine
from tests.factories import SellerFactory, product_create, store_for


@pytest.fixture(autouse=True)
def _whoosh_only(db):
    if postgres_engine():
        pytest.skip(
            "Whoosh's own index and write path; the PostgreSQL engine's are "
            "in test_postgres.py"
        )


def engine_pks(query):
    """What the index itself holds for `query`, before any database filter."""
    backend = get_search_backend()
    results = backend.search(query, ProductPage)
    return {pk for pk, _ in results.query_compiler.top(backend, None)[0]}


@pytest.fixture
def product(db):
    return product_create(
        seller=SellerFactory(legal_name="HTX Chè Tân Cương"),
        title="Chè búp Tân Cương",
        variants=[("200 g", 120_000, 5)],
    )


def test_publishing_an_edit_reindexes_the_page(product):
    product.title = "Chè móc câu Tân Cương"
    product.save_revision().publish()
    assert product.pk in engine_pks("moc cau")
    assert product.pk not in engine_pks("chè búp")


def test_unpublished_products_drop_out_of_public_search(product):
    assert list(ProductPage.objects.live().search("che tan cuong")) == [product]
    product.unpublish()
    assert list(ProductPage.objects.live().search("che tan cuong")) == []


def test_deleting_a_page_removes_it_from_the_index(product):
    pk = product.pk
    product.delete()
    assert pk not in engine_pks("che tan cuong")


def test_moving_a_product_keeps_it_searchable_under_its_new_store(product):
    other_store = store_for(SellerFactory(legal_name="Hộ kinh doanh Lê Văn Ba"))
    product.move(other_store, pos="last-child")
    product.refresh_from_db()
    assert product.get_parent().pk == other_store.pk
    assert list(ProductPage.objects.live().search("tan cuong")) == [product]


def test_a_stock_change_reindexes_the_product_through_the_write_task(
    product, django_capture_on_commit_callbacks, monkeypatch
):
    written = []
    task_class = type(index_write)
    original = task_class.call

    def spy(task, *args, **kwargs):
        if task.func is index_write.func:
            written.append([doc["pk"] for doc in kwargs["upserts"]])
        return original(task, *args, **kwargs)

    monkeypatch.setattr(task_class, "call", spy)
    stock = Stock.objects.get(variant__product=product)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            stock.on_hand = 0
            stock.save()
    assert [str(product.pk)] in written


def test_variant_labels_are_searchable_with_the_product(product):
    variant = product.variants.get()
    with transaction.atomic():
        variant.label = "hộp quà Tết"
        variant.save()
    # the on-commit re-index runs at the end of the test transaction's
    # savepoint only in real commits; run the same task directly
    from modelsearch.index import insert_or_update_object

    insert_or_update_object(ProductPage.objects.get(pk=product.pk))
    assert product.pk in engine_pks("hop qua tet")


def test_the_index_lives_where_settings_say(settings, product):
    backend = get_search_backend()
    path = backend.index_path(ProductPage)
    assert path.startswith(str(settings.SEARCH_INDEX_PATH))
    assert store.searcher(path).doc_count() >= 1


def test_the_index_answers_live_so_a_search_costs_one_query(
    product, django_assert_num_queries
):
    # `live` is in INDEX_FILTERS by default: the count needs no database
    # round trip, only the page's rows do.
    results = ProductPage.objects.live().search("che tan cuong")
    with django_assert_num_queries(1):
        assert list(results) == [product]
        assert results.count() == 1

    product.unpublish()

    results = ProductPage.objects.live().search("che tan cuong")
    assert list(results) == []
    assert results.count() == 0


def test_a_rolled_back_save_left_in_the_index_is_repaired_by_the_next_search(
    product,
):
    # With the immediate task backend the index is written inside the
    # transaction; a rollback afterwards leaves a document behind.
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        ghost = product_create(
            seller=product.seller,
            title="Chè đinh Tân Cương",
            variants=[("100 g", 300_000, 2)],
        )
        ghost_pk = ghost.pk
        raise Abort

    assert ghost_pk in engine_pks("che dinh")

    results = ProductPage.objects.live().search("che tan cuong")
    assert results.count() == 2  # the stale document still counts once
    assert list(results) == [product]  # ... but is never shown

    assert ghost_pk not in engine_pks("che dinh")
    results = ProductPage.objects.live().search("che tan cuong")
    assert results.count() == 1
    assert list(results) == [product]


def test_with_a_task_queue_an_index_write_waits_for_the_commit(
    db, settings, django_capture_on_commit_callbacks
):
    # A queued write must not leave before the save commits: with Redis, a
    # queue outside the transaction, a rolled-back save would reach the index.
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "search"],
        }
    }
    writes = DBTaskResult.objects.filter(task_path="cms.search.tasks.index_write")
    backend = get_search_backend()
    document = {"pk": "1", "ct": "market.productpage", "title__f": "Chè búp"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        backend.submit_write(
            backend.index_path(ProductPage), upserts=[document], deletes=[]
        )
        assert not writes.exists()

    for callback in callbacks:
        callback()
    assert writes.count() == 1
