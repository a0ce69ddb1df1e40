"""Read-side queries of the catalogue.

Every list selector returns a queryset whose related rows are fetched with a
fixed number of queries (select_related / prefetch_related), so a page or an
API response costs the same number of SQL queries for 5 items or 50.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from modelsearch.query import Or, PlainText, SearchQuery

from market.access import sellers_of
from market.models import (
    Certification,
    CertificationKind,
    ProductImage,
    ProductPage,
    ReviewStatus,
    Stock,
    Variant,
)

# Products without a price or stars go last on every database (PostgreSQL
# puts NULLs first when sorting descending).
SORTS = {
    "newest": (F("first_published_at").desc(nulls_last=True), "-pk"),
    "price_asc": (F("price_min").asc(nulls_last=True), "pk"),
    "price_desc": (F("price_min").desc(nulls_last=True), "pk"),
    "stars": (
        F("ocop_stars").desc(nulls_last=True),
        F("price_min").asc(nulls_last=True),
        "pk",
    ),
}
DEFAULT_SORT = "newest"
LIST_RENDITION = "fill-320x240|format-webp|webpquality-70"
DETAIL_RENDITION = "max-640x480|format-webp|webpquality-75"


@dataclass(frozen=True)
class ProductFilters:
    """What a shopper (or an API client) narrowed the list to."""

    province_code: int | None = None
    category: str | None = None
    ocop_stars_min: int | None = None
    vietgap: bool = False
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool = False
    seller_id: int | None = None
    gtin: str | None = None  # digits, with or without leading zeros
    sku: str | None = None
    sort: str = DEFAULT_SORT


@dataclass(frozen=True)
class Badge:
    """A certification as shown to shoppers."""

    kind: str
    label: str
    number: str
    issuer: str
    valid_until: dt.date | None
    expired: bool
    stars: int | None = None


def _approved_certifications() -> QuerySet[Certification]:
    return Certification.objects.filter(status=ReviewStatus.APPROVED).order_by(
        "kind", "-valid_until", "-pk"
    )


def product_list(*, filters: ProductFilters | None = None) -> QuerySet[ProductPage]:
    """Live products matching the filters, sorted, with seller and first
    photos fetched in a constant number of queries.

    Filters use the summary fields, so OCOP stars and VietGAP count only
    approved certificates in date (as of the last summary refresh)."""
    filters = filters or ProductFilters()
    products = ProductPage.objects.live().select_related("seller")
    products = _apply_filters(products, filters)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return products.order_by(*order).prefetch_related(_images_prefetch(LIST_RENDITION))


def _apply_filters(products, filters: ProductFilters):
    conditions = Q()
    if filters.province_code:
        conditions &= Q(province_code=filters.province_code)
    if filters.category:
        conditions &= Q(category=filters.category)
    if filters.ocop_stars_min:
        conditions &= Q(ocop_stars__gte=filters.ocop_stars_min)
    if filters.vietgap:
        conditions &= Q(has_vietgap=True)
    if filters.price_min is not None:
        conditions &= Q(price_min__gte=filters.price_min)
    if filters.price_max is not None:
        conditions &= Q(price_min__lte=filters.price_max)
    if filters.in_stock:
        conditions &= Q(in_stock=True)
    if filters.seller_id:
        conditions &= Q(seller_id=filters.seller_id)
    variants = _variant_codes(filters)
    if variants is not None:
        conditions &= Q(pk__in=variants.values("product_id"))
    return products.filter(conditions)


def gtin_forms(value: str) -> list[str]:
    """The stored forms a GTIN can have (8, 12, 13 or 14 digits, padded
    with zeros): a barcode read as 13 digits finds one kept as 14."""
    digits = value.strip().lstrip("0") or "0"
    return [digits.zfill(size) for size in (8, 12, 13, 14) if len(digits) <= size]


def _variant_codes(filters: ProductFilters):
    """Active variants with the filters' GTIN and SKU, or None without them."""
    if not filters.gtin and not filters.sku:
        return None
    variants = Variant.objects.filter(is_active=True)
    if filters.gtin:
        variants = variants.filter(gtin__in=gtin_forms(filters.gtin))
    if filters.sku:
        variants = variants.filter(sku__iexact=filters.sku.strip())
    return variants


# --- text search ---------------------------------------------------------------

_WORD = re.compile(r"\w+")
# A number this long is a code (GTIN, certificate): a word on its own.
_CODE_DIGITS = 6
# A query of this many meaningful words that no product has whole is tried
# with every word but one before any word: with two words that is any word,
# with many it is n searches in one (and a long query rarely misses one).
QUORUM_MIN_WORDS = 3
QUORUM_MAX_WORDS = 6


@dataclass
class TextSearch:
    """Search results and how they were found."""

    results: object  # modelsearch results (or an empty queryset)
    query: str | SearchQuery  # what was searched: words, or a query object
    operator: str | None  # for words, "and": every word; "or": some of them
    relaxed: bool  # no product had every word: these have some

    def search(self, products: QuerySet[ProductPage], backend: str = "default"):
        """The same search over other products (a facet's counts)."""
        return products.search(self.query, operator=self.operator, backend=backend)


# Query-language operators, not Vietnamese words: PostgreSQL's full-text
# parser reads `OR` in `' OR 1=1 --` as "or" and matched everything.
_OPERATOR_WORDS = frozenset({"or", "and", "not"})


def _meaningful(word: str) -> bool:
    """A word a partial match may rest on: two letters or more, or a long
    number; not a lone digit or letter (`' OR 1=1 --`, `<script>`), nor a
    query operator."""
    if word.isdigit():
        return len(word) >= _CODE_DIGITS
    return len(word) >= 2 and word.lower() not in _OPERATOR_WORDS


def product_text_search(
    *, products: QuerySet[ProductPage], text: str, backend: str = "default"
) -> TextSearch:
    """`products` matching every word of `text` (through the configured
    search backend), best first. When none has every word, the products
    with every meaningful word but one (a stray or misspelt word: "trái dứa
    hướng đạo", "mat ongg bac ha"), else with some of its meaningful words,
    are given instead (`relaxed`). A query without a meaningful word finds
    nothing: nonsense (`1=1`, `' OR 1=1 --`) never lists the whole
    catalogue."""
    words = _WORD.findall(text)
    kept = [word for word in words if _meaningful(word)]
    if not kept:
        return TextSearch(products.none(), text, "and", relaxed=len(words) > 1)
    results = products.search(text, operator="and", backend=backend)
    if len(words) < 2 or results.count():
        return TextSearch(results, text, "and", relaxed=False)
    if QUORUM_MIN_WORDS <= len(kept) <= QUORUM_MAX_WORDS:
        query = all_words_but_one(kept)
        results = products.search(query, backend=backend)
        if results.count():
            return TextSearch(results, query, None, relaxed=True)
    any_word = " ".join(kept)
    results = products.search(any_word, operator="or", backend=backend)
    return TextSearch(results, any_word, "or", relaxed=True)


def all_words_but_one(words: list[str]) -> SearchQuery:
    """Products with every word but one: for each word, the others all
    there. A product has at most one of these (none has them all), so it
    ranks as that search of the other words would rank it."""
    queries = dict.fromkeys(
        " ".join(words[:i] + words[i + 1 :]) for i in range(len(words))
    )
    return Or([PlainText(query, operator="and") for query in queries])


def _images_prefetch(rendition: str) -> Prefetch:
    from wagtail.images import get_image_model

    images = get_image_model().objects.prefetch_renditions(rendition)
    return Prefetch(
        "images",
        queryset=ProductImage.objects.prefetch_related(
            Prefetch("image", queryset=images)
        ).order_by("sort_order"),
    )


@dataclass(frozen=True)
class VariantChoice:
    variant: Variant
    available: int


def _detail_prefetches() -> list:
    return [
        Prefetch(
            "variants",
            queryset=Variant.objects.filter(is_active=True)
            .select_related("stock")
            .order_by("sort_order", "pk"),
            to_attr="active_variants",
        ),
        Prefetch(
            "certifications",
            queryset=_approved_certifications(),
            to_attr="approved_certifications",
        ),
        Prefetch(
            "seller__certifications",
            queryset=_approved_certifications().filter(product__isnull=True),
            to_attr="store_certifications",
        ),
        _images_prefetch(DETAIL_RENDITION),
    ]


def product_detail_queryset() -> QuerySet[ProductPage]:
    """Live products with everything the product page and the API show:
    seller, active variants with stock, approved certifications (the
    product's own and its store-wide ones) and photos."""
    return (
        ProductPage.objects.live()
        .select_related("seller")
        .prefetch_related(*_detail_prefetches())
    )


def product_prefetch(*, product: ProductPage) -> ProductPage:
    """Load what the product page shows onto an instance already in hand (the
    page Wagtail routed to), in a fixed number of queries."""
    prefetch_related_objects([product], "seller", *_detail_prefetches())
    return product


def _stock_available(variant: Variant) -> int:
    try:
        stock = variant.stock
    except Stock.DoesNotExist:
        return 0
    return max(stock.available, 0)


def product_variant_choices(*, product: ProductPage) -> list[VariantChoice]:
    """Active variants with the units a shopper can still buy. Falls back to
    the page's own (possibly unsaved, in preview) variants when nothing was
    prefetched."""
    variants = getattr(product, "active_variants", None)
    if variants is None:
        variants = [v for v in product.variants.all() if v.is_active]
    return [
        VariantChoice(variant=v, available=_stock_available(v) if v.pk else 0)
        for v in variants
    ]


def product_images(*, product: ProductPage) -> list[ProductImage]:
    return list(product.images.all())


def product_certifications(*, product: ProductPage) -> list[Certification]:
    """Approved certifications that apply to a product (own, then store-wide).
    Uses the prefetch of `product_detail_queryset` when present."""
    own = getattr(product, "approved_certifications", None)
    if own is None:
        own = list(_approved_certifications().filter(product=product))
    store = getattr(product.seller, "store_certifications", None)
    if store is None:
        store = list(
            _approved_certifications().filter(
                seller_id=product.seller_id, product__isnull=True
            )
        )
    return [*own, *store]


def certification_badge(
    *, certification: Certification, day: dt.date | None = None
) -> Badge | None:
    """The badge a certification earns: none unless approved; approved and
    in date shows normally; approved but past its date shows as expired
    ("hết hạn") so shoppers are not misled."""
    if certification.status != ReviewStatus.APPROVED:
        return None
    day = day or timezone.localdate()
    expired = certification.valid_until is not None and certification.valid_until < day
    if certification.kind == CertificationKind.OCOP:
        label = _("OCOP %(stars)s sao") % {"stars": certification.stars}
    else:
        label = certification.get_kind_display()
    if expired:
        label = _("%(label)s (hết hạn)") % {"label": label}
    return Badge(
        kind=certification.kind,
        label=label,
        number=certification.number,
        issuer=certification.issuer,
        valid_until=certification.valid_until,
        expired=expired,
        stars=certification.stars,
    )


def product_badges(*, product: ProductPage, day: dt.date | None = None) -> list[Badge]:
    """Badges of a product, valid ones first, one per certificate."""
    badges = [
        certification_badge(certification=cert, day=day)
        for cert in product_certifications(product=product)
    ]
    return sorted((b for b in badges if b), key=lambda b: (b.expired, b.kind))


def product_certificate(
    *, product: ProductPage, kind: str, day: dt.date | None = None
) -> tuple[Certification, bool] | None:
    """The best approved certificate of `kind` for the product and whether it
    is in date: a valid one wins over an expired one, then more stars."""
    day = day or timezone.localdate()
    found = [c for c in product_certifications(product=product) if c.kind == kind]
    if not found:
        return None

    def rank(cert: Certification):
        return (cert.is_valid_on(day), cert.stars or 0, cert.valid_until or dt.date.max)

    best = max(found, key=rank)
    return best, best.is_valid_on(day)


def product_breadcrumbs(*, page) -> list:
    """Ancestors below the site root, for the breadcrumb trail (one query)."""
    return list(page.get_ancestors().filter(depth__gt=1).specific(defer=True))


def certifications_visible_to(*, user) -> QuerySet[Certification]:
    """Certifications whose scan `user` may open: the operator every one,
    seller staff their own sellers', anyone else (anonymous too) none."""
    return Certification.objects.filter(seller__in=sellers_of(user))
