"""Keep the search index in step with what the index of a product is made of.

Wagtail/modelsearch already re-index a page when it is saved (publish,
unpublish and move all save the page) and drop it when it is deleted. What
they cannot see is text or filter values that live on *other* rows:

- stock (`market.Stock`) decides `in_stock`; backends that store filter
  values (Elasticsearch, OpenSearch) need the product re-indexed;
- a variant's label and SKU, and the seller's name, are indexed with the
  product through `RelatedFields`;
- a move changes the tree path of every page below the moved one.

Each receiver only queues modelsearch's own re-index task after the
transaction commits, so the write goes through the same single path
(`cms.search.tasks.index_write`) as every other update.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from modelsearch.tasks import insert_or_update_object_task
from wagtail.signals import post_page_move

from cms.models import SearchSynonym
from market.models import Certification, ProductPage, Seller, Stock, Variant

from . import synonyms


def reindex_later(model, pks) -> None:
    """Queue a re-index of these rows once the current transaction commits."""
    label, name = model._meta.app_label, model._meta.model_name
    pks = [str(pk) for pk in pks]

    def enqueue():
        for pk in pks:
            insert_or_update_object_task.enqueue(label, name, pk)

    transaction.on_commit(enqueue)


@receiver(post_save, sender=Stock, dispatch_uid="search_reindex_on_stock")
def stock_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    product_id = (
        Variant.objects.filter(pk=instance.variant_id)
        .values_list("product_id", flat=True)
        .first()
    )
    if product_id is not None:
        reindex_later(ProductPage, [product_id])


@receiver(post_save, sender=Variant, dispatch_uid="search_reindex_on_variant")
def variant_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex_later(ProductPage, [instance.product_id])


@receiver(post_save, sender=Seller, dispatch_uid="search_reindex_on_seller")
def seller_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or created:
        return
    reindex_later(
        ProductPage,
        ProductPage.objects.filter(seller=instance).values_list("pk", flat=True),
    )


@receiver(post_page_move, dispatch_uid="search_reindex_on_move")
def page_moved(sender, instance, **kwargs):
    by_type: dict[int, list[int]] = {}
    for pk, content_type_id in instance.get_descendants().values_list(
        "pk", "content_type_id"
    ):
        by_type.setdefault(content_type_id, []).append(pk)
    for content_type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is not None:
            reindex_later(model, pks)


@receiver(post_save, sender=Certification, dispatch_uid="search_reindex_on_cert")
@receiver(post_delete, sender=Certification, dispatch_uid="search_reindex_cert_del")
def certification_changed(sender, instance, raw=False, **kwargs):
    # Certificate numbers are searchable with the product they belong to
    # (which may be going too: a product's deletion cascades to them).
    product_id = instance.product_id
    if raw or product_id is None:
        return

    def enqueue():
        if ProductPage.objects.filter(pk=product_id).exists():
            insert_or_update_object_task.enqueue("market", "productpage", product_id)

    transaction.on_commit(enqueue)


@receiver(post_save, sender=SearchSynonym, dispatch_uid="search_synonyms_saved")
@receiver(post_delete, sender=SearchSynonym, dispatch_uid="search_synonyms_deleted")
def synonyms_changed(sender, **kwargs):
    synonyms.reload()
