"""Read side of the site search: products matching words and filters, facet
counts, autocomplete suggestions. Everything goes through Wagtail's search
API, so it works the same on the Whoosh, database or Elasticsearch backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from market import places, selectors
from market.models import OcopCategory, ProductPage

from .analysis import words

PAGE_SIZE = 20
SUGGESTIONS = 8
MAX_QUERY_LENGTH = 120

# Facet name -> (FilterField on ProductPage, field of ProductFilters it sets)
FACETS = {
    "province": ("province_code", "province_code"),
    "category": ("category", "category"),
    "stars": ("ocop_stars", "ocop_stars_min"),
    "vietgap": ("has_vietgap", "vietgap"),
}


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class ProductSearch:
    query: str
    page: object  # django.core.paginator.Page of ProductPage
    count: int
    relaxed: bool  # no product had every word; showing products with some
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def _base(filters: selectors.ProductFilters):
    # product_list applies the market's filters; relevance replaces its sort.
    return selectors.product_list(filters=filters).order_by()


def _facet_label(name: str, value) -> str:
    if name == "province":
        return places.province_name(value) or _("Chưa rõ")
    if name == "category":
        return OcopCategory(value).label if value in OcopCategory.values else value
    if name == "stars":
        return _("OCOP %(stars)s sao") % {"stars": value}
    return _("Có VietGAP") if value else _("Chưa có VietGAP")


def _facet(name, found, filters, backend) -> list[FacetValue]:
    """Counts for one facet over the results with every *other* filter
    applied, so choosing a province still shows the other provinces."""
    field_name, filter_attr = FACETS[name]
    others = replace(filters, **{filter_attr: None if name != "vietgap" else False})
    counts = found.search(_base(others), backend).facet(field_name)
    current = getattr(filters, filter_attr)
    values = []
    for value, count in counts.items():
        if value is None or (name == "vietgap" and not value):
            continue
        selected = current == value
        values.append(
            FacetValue(str(value), _facet_label(name, value), count, selected)
        )
    if name == "stars":
        values.sort(key=lambda item: item.value, reverse=True)
    return values


def product_search(
    *,
    query: str,
    filters: selectors.ProductFilters,
    page_number: str | int | None = 1,
    page_size: int = PAGE_SIZE,
    backend: str = "default",
    facets: bool = True,
) -> ProductSearch:
    """Live products matching every word of `query` and the filters, best
    first. When no product has every word, products with some of the words
    are shown instead (`relaxed`), so a stray word never empties the page;
    a query of no meaningful word (`' OR 1=1 --`) finds nothing.
    Facet counts cover the words and every other filter. `backend` names a
    WAGTAILSEARCH_BACKENDS entry."""
    query = clean_query(query)
    found = selectors.product_text_search(
        products=_base(filters), text=query, backend=backend
    )
    page = Paginator(found.results, page_size).get_page(page_number)
    counts = {}
    if facets and page.paginator.count:
        counts = {name: _facet(name, found, filters, backend) for name in FACETS}
    return ProductSearch(query, page, page.paginator.count, found.relaxed, counts)


def product_suggestions(*, prefix: str, limit: int = SUGGESTIONS) -> list[dict]:
    """Titles of live products starting with the words typed so far (folded:
    ``nuoc m`` suggests ``Nước mắm …``), for the search box."""
    prefix = clean_query(prefix)
    if not words(prefix):
        return []
    products = ProductPage.objects.live().autocomplete(prefix)[:limit]
    return [{"title": product.title, "url": product.url} for product in products]
