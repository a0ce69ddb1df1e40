"""Repair the slugs of pages made before `market.slugs.vietnamese_slug`."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from wagtail.models import Page

from market.slugs import repaired_slug


def page_slugs_repair() -> list[tuple[str, str]]:
    """Give older pages their Vietnamese slug ("đ" as "d", ASCII only); returns
    (old, new) slug pairs.

    The old address keeps working: Wagtail's redirects app creates a
    permanent redirect (for the page and every page below it) when a slug
    changes. The latest revision gets the new slug too, so the next publish
    from the editor does not bring the old one back. Runs after every
    `migrate` and changes nothing the second time.
    """
    candidates = (
        Page.objects.filter(depth__gt=1)
        .filter(
            Q(title__contains="đ")
            | Q(title__contains="Đ")
            | ~Q(slug__regex=r"^[-a-z0-9_]*$")
        )
        .order_by("path")
        .values_list("pk", flat=True)
    )
    changed = []
    for pk in list(candidates):
        with transaction.atomic():
            pair = _page_slug_repair(pk=pk)
        if pair:
            changed.append(pair)
    return changed


def _page_slug_repair(*, pk: int) -> tuple[str, str] | None:
    page = Page.objects.select_for_update().get(pk=pk).specific
    new = repaired_slug(page.slug, page.title)
    if not new or new == page.slug:
        return None
    if not Page._slug_is_available(new, page.get_parent(), page):
        new = f"{new}-{page.pk}"
    old = page.slug
    page.slug = new
    # clean=False: an old page may miss a field that is required today; only
    # its address changes here.
    page.save(clean=False)
    revision = page.latest_revision
    if revision is not None and revision.content.get("slug") == old:
        revision.content["slug"] = new
        revision.save(update_fields=["content"])
    return old, new
