"""Anonymous full-page cache for the public pages, on Django's cache framework.

What is cached: the rendered HTML of a Wagtail page that opts in
(`CachedPageMixin`: home, market, store, product, news) for a GET by a
visitor who has no session cookie and no pending message — so never a
logged-in user, never a shopper with a cart (the cart lives in the session),
never a POST. Carts, orders, the scan page's verdict and the API are not
pages that opt in, so they are never stored.

Keys: host + full path (with the query string: the market's filters) + the
language the request resolved to (LocaleMiddleware), so Vietnamese and
English pages never mix.

Purges are by tag. Each entry carries the tags it depends on and their
versions when it was stored; a purge bumps a tag's version (a shared counter,
so it reaches every app host on Redis at once), and an entry whose tag
versions are not all current is a miss. Tags:

- `pages`: every cached page (a page published, unpublished, moved, deleted:
  menus, listings and the page itself change);
- `catalogue`: pages that list products (home, market, stores);
- `products`: every product page (the daily certificate run);
- `product:<id>`: one product page (its stock, price, certificates, a recall
  of one of its lots).

A purge made while a page renders is not lost: the miss path reads a global
purge counter before and after rendering and stores nothing if it moved.

The CSRF token is per visitor: it is cut out of the stored HTML and a fresh
one for this visitor is put in on every hit (CsrfViewMiddleware then sends
the cookie that goes with it), so forms on a cached page work.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token

PREFIX = "nqpage"
PURGES_KEY = f"{PREFIX}:purges"
ALL_PAGES = "pages"
CATALOGUE = "catalogue"
ALL_PRODUCTS = "products"
HEADER = "X-Cache"
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')
_TOKEN_SLOT = b"\x00nq-csrf\x00"
# Headers that belong to one response, not to the page.
_SKIP_HEADERS = {"set-cookie", "content-length", HEADER.lower()}


def product_tag(product_id: int) -> str:
    return f"product:{product_id}"


def _tag_key(tag: str) -> str:
    return f"{PREFIX}:tag:{tag}"


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


# --- purging -------------------------------------------------------------------


def _bump(key: str) -> None:
    # A counter that never expires; add() makes it if it is missing.
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def page_cache_purge(*, tags: Iterable[str]) -> None:
    """Make every cached page carrying one of `tags` a miss, on every host
    that shares the cache. The global counter moves first (see module doc)."""
    tags = sorted(set(tags))
    if not tags or not enabled():
        return
    _bump(PURGES_KEY)
    for tag in tags:
        _bump(_tag_key(tag))


def page_cache_purge_on_commit(*, tags: Iterable[str]) -> None:
    """Purge once the current transaction commits: a page rendered before the
    commit must not be stored as current."""
    tags = sorted(set(tags))
    if tags and enabled():
        transaction.on_commit(lambda: page_cache_purge(tags=tags))


def products_purge_on_commit(*, product_ids: Iterable[int] | None) -> None:
    """Purge these product pages and the listings (None: every product)."""
    if product_ids is None:
        tags = [ALL_PRODUCTS, CATALOGUE]
    else:
        tags = [CATALOGUE, *(product_tag(pk) for pk in product_ids)]
    page_cache_purge_on_commit(tags=tags)


# --- pages ---------------------------------------------------------------------


class CachedPageMixin:
    """A Wagtail page whose anonymous view may be cached.

    `page_cache_tags()` says which purges make it stale; every page also
    carries `pages`."""

    def page_cache_tags(self) -> set[str]:
        return set()

    def serve(self, request, *args, **kwargs):
        request.page_cache_tags = {ALL_PAGES, *self.page_cache_tags()}
        return super().serve(request, *args, **kwargs)


# --- middleware ----------------------------------------------------------------


def _key(request) -> str:
    raw = "|".join(
        (
            request.get_host(),
            request.get_full_path(),
            getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        )
    )
    return f"{PREFIX}:entry:" + hashlib.sha256(raw.encode()).hexdigest()


def _request_may_use_cache(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _response_may_be_stored(request, response) -> bool:
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (session is not None and (session.accessed or session.modified))
        and "private" not in cache_control
        and "no-store" not in cache_control
        and response.get("Content-Type", "").startswith("text/html")
    )


def _versions(tags: Iterable[str]) -> dict[str, int]:
    keys = {_tag_key(tag): tag for tag in tags}
    found = cache.get_many(list(keys))
    return {tag: found.get(key, 0) for key, tag in keys.items()}


class PageCacheMiddleware:
    """Serve and store anonymous page views (see the module docstring).

    Sits last in MIDDLEWARE, so every outer middleware (security headers,
    CSRF cookie, language) treats a hit exactly like a rendered page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or not _request_may_use_cache(request):
            response = self.get_response(request)
            if getattr(request, "page_cache_tags", None):
                response[HEADER] = "bypass"
            return response
        key = _key(request)
        entry = cache.get(key)
        if entry is not None and _versions(entry["tags"]) == entry["tags"]:
            return self._hit(request, entry)
        purges_before = cache.get(PURGES_KEY, 0)
        response = self.get_response(request)
        tags = getattr(request, "page_cache_tags", None)
        if not tags or not _response_may_be_stored(request, response):
            if tags:
                response[HEADER] = "bypass"
            return response
        versions = _versions(tags)
        if cache.get(PURGES_KEY, 0) == purges_before:
            cache.set(key, self._entry(response, versions), settings.PAGE_CACHE_SECONDS)
        response[HEADER] = "miss"
        return response

    @staticmethod
    def _entry(response, versions: dict[str, int]) -> dict:
        return {
            "body": _TOKEN.sub(rb"\1" + _TOKEN_SLOT + rb"\2", response.content),
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in _SKIP_HEADERS
            ],
            "tags": versions,
        }

    @staticmethod
    def _hit(request, entry: dict) -> HttpResponse:
        body = entry["body"]
        if _TOKEN_SLOT in body:
            body = body.replace(_TOKEN_SLOT, get_token(request).encode())
        response = HttpResponse(body)
        for name, value in entry["headers"]:
            response[name] = value
        response[HEADER] = "hit"
        return response


# --- Wagtail's page signals ------------------------------------------------------


def _page_changed(sender, instance=None, **kwargs):
    """A page was published, unpublished, moved or deleted: menus, listings
    and the page itself may all change, so every cached page goes."""
    page_cache_purge_on_commit(tags=[ALL_PAGES])


def connect_page_signals() -> None:
    from django.db.models.signals import post_delete
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_page_changed, dispatch_uid=f"page_cache.{id(signal)}")
    post_delete.connect(
        _page_changed, sender=Page, dispatch_uid="page_cache.page_deleted"
    )
