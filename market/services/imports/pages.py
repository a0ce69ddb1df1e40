"""Create many Wagtail pages at once.

`Page.add_child` costs several queries, a save per page and search-index
work; for a 100 000-row import that is hours. Here the treebeard
materialised path of each new page is computed the way `add_child` computes
it (parent path + the next step, base 36, 4 characters; depth = parent + 1;
the parent's `numchild` raised), and the rows are written with bulk inserts.
Every page is an ordinary page: the admin opens and edits it, and it gets a
revision the first time someone saves it there. No signals are sent (no
search indexing): run `update_index` or let the search backend catch up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page

from market.slugs import vietnamese_slug

_BATCH = 500


@dataclass
class NewPage:
    parent: Page
    title: str
    fields: dict  # the specific model's own fields
    page_id: int | None = None


def _chunks(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _children(parents: list[Page]) -> tuple[dict[int, int], dict[int, set[str]]]:
    """For each parent: the next free step of its children and their slugs."""
    steplen = Page.steplen
    next_step = {parent.pk: 1 for parent in parents}
    slugs: dict[int, set[str]] = {parent.pk: set() for parent in parents}
    for depth in sorted({parent.depth for parent in parents}):
        by_path = {p.path: p.pk for p in parents if p.depth == depth}
        for chunk in _chunks(list(by_path)):
            query = None
            for path in chunk:
                part = Page.objects.filter(depth=depth + 1, path__startswith=path)
                query = part if query is None else query | part
            for path, slug in query.values_list("path", "slug"):
                parent = by_path[path[: depth * steplen]]
                step = Page._str2int(path[-steplen:]) + 1
                next_step[parent] = max(next_step[parent], step)
                slugs[parent].add(slug)
    return next_step, slugs


def _unique_slug(title: str, taken: set[str], fallback: str) -> str:
    base = vietnamese_slug(title, max_length=60) or fallback
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def pages_bulk_create(
    *, model: type[Page], items: list[NewPage], publish: bool, user=None
) -> list[NewPage]:
    """Insert `items` as live (or draft) pages of `model` under their parents;
    sets `page_id` on each item. Slugs are unique among siblings."""
    if not items:
        return items
    parents = list({item.parent.pk: item.parent for item in items}.values())
    next_step, taken = _children(parents)
    content_type = ContentType.objects.get_for_model(model)
    fallback = model._meta.model_name
    now = timezone.now() if publish else None
    pages = []
    for item in items:
        parent = item.parent
        step = next_step[parent.pk]
        next_step[parent.pk] = step + 1
        slug = _unique_slug(item.title, taken[parent.pk], fallback)
        pages.append(
            Page(
                title=item.title,
                draft_title=item.title,
                slug=slug,
                content_type=content_type,
                path=Page._get_path(parent.path, parent.depth + 1, step),
                depth=parent.depth + 1,
                numchild=0,
                url_path=f"{parent.url_path}{slug}/",
                locale_id=parent.locale_id,
                live=publish,
                has_unpublished_changes=not publish,
                first_published_at=now,
                last_published_at=now,
                owner=user,
            )
        )
    for chunk in _chunks(pages):
        Page.objects.bulk_create(chunk)
    specific = []
    for item, page in zip(items, pages, strict=True):
        item.page_id = page.pk
        specific.append(model(page_ptr_id=page.pk, **item.fields))
    fields = model._meta.local_concrete_fields
    for chunk in _chunks(specific):
        # Django refuses bulk_create on a multi-table child; insert the child
        # rows directly (the parent rows exist), the way Model.save() does.
        model.objects._insert(chunk, fields=fields)
    added: dict[int, int] = {}
    for item in items:
        added[item.parent.pk] = added.get(item.parent.pk, 0) + 1
    for parent_id, count in added.items():
        Page.objects.filter(pk=parent_id).update(numchild=F("numchild") + count)
    return items
