"""Public browsing: the filter form and the context of the market, store and
product pages. The page models' `get_context` call these; the data comes from
`market.selectors`, so every page costs a fixed number of queries however
many products it shows.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from market import places, selectors, signals
from market.models import CertificationKind, OcopCategory
from market.tickets.offers import product_slot_choices

PAGE_SIZE = 24
CART_ADD_URL = "/gio-hang/them/"

SORT_CHOICES = [
    ("newest", _("Mới nhất")),
    ("price_asc", _("Giá thấp đến cao")),
    ("price_desc", _("Giá cao đến thấp")),
    ("stars", _("Nhiều sao OCOP")),
]
STAR_CHOICES = [
    ("", _("Tất cả")),
    ("3", _("Từ 3 sao")),
    ("4", _("Từ 4 sao")),
    ("5", _("5 sao")),
]


def _province_choices():
    return [("", _("Cả nước")), *places.provinces()]


class ProductFilterForm(forms.Form):
    """The market's filters; a GET form that works without JavaScript."""

    province = forms.TypedChoiceField(
        label=_("Tỉnh, thành phố"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_province_choices,
    )
    category = forms.ChoiceField(
        label=_("Nhóm sản phẩm"),
        required=False,
        choices=[("", _("Tất cả nhóm")), *OcopCategory.choices],
    )
    stars = forms.TypedChoiceField(
        label=_("Sao OCOP"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=STAR_CHOICES,
    )
    vietgap = forms.BooleanField(label=_("Có VietGAP còn hạn"), required=False)
    in_stock = forms.BooleanField(label=_("Chỉ hàng còn bán"), required=False)
    price_min = forms.IntegerField(
        label=_("Giá từ (đồng)"),
        required=False,
        min_value=0,
        max_value=10**11,
    )
    price_max = forms.IntegerField(
        label=_("Giá đến (đồng)"),
        required=False,
        min_value=0,
        max_value=10**11,
    )
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=SORT_CHOICES)

    def filters(self, **extra) -> selectors.ProductFilters:
        """Valid fields narrow the list; an invalid one is ignored (and shown
        with its error) rather than emptying the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.ProductFilters(
            province_code=data.get("province"),
            category=data.get("category") or None,
            ocop_stars_min=data.get("stars"),
            vietgap=bool(data.get("vietgap")),
            in_stock=bool(data.get("in_stock")),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            sort=data.get("sort") or selectors.DEFAULT_SORT,
            **extra,
        )


def _paginate(request, products) -> dict:
    paginator = Paginator(products, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    kept = [(key, value) for key, value in request.GET.items() if key != "page"]
    return {
        "products": page,
        "page_query": urlencode(kept),
        "result_count": paginator.count,
    }


def market_index_context(*, request) -> dict:
    form = ProductFilterForm(request.GET or None)
    products = selectors.product_list(filters=form.filters())
    return {
        "filter_form": form,
        "list_rendition": selectors.LIST_RENDITION,
        **_paginate(request, products),
    }


def store_context(*, page, request) -> dict:
    form = ProductFilterForm(request.GET or None)
    products = selectors.product_list(filters=form.filters(seller_id=page.seller_id))
    return {
        "filter_form": form,
        "seller": page.seller,
        "list_rendition": selectors.LIST_RENDITION,
        **_paginate(request, products),
    }


def product_context(*, page, request) -> dict:
    preview = bool(getattr(request, "is_preview", False))
    if not preview:
        selectors.product_prefetch(product=page)
    variants = selectors.product_variant_choices(product=page)
    badges = selectors.product_badges(product=page)
    images = selectors.product_images(product=page)
    # A tourism product is sold by dated slot (market.tickets), not by stock.
    slot_choices = product_slot_choices(product=page)
    return {
        # Warnings from other apps (a recalled lot), shown above everything.
        "notices": signals.product_notices(product=page),
        "variants": variants,
        "slot_choices": slot_choices,
        "badges": badges,
        "images": images,
        "detail_rendition": selectors.DETAIL_RENDITION,
        "cart_add_url": CART_ADD_URL,
        # The one line limit; the cart and the orders keep the same number.
        "max_quantity": settings.ORDER_MAX_UNITS_PER_VARIANT,
        "can_buy": any(choice.available > 0 for choice in variants),
        "default_variant": next(
            (c.variant.pk for c in variants if c.available > 0), None
        ),
        "json_ld": product_json_ld(
            page=page, request=request, variants=variants, badges=badges, images=images
        ),
    }


def _ld_escape(data: dict) -> str:
    # Inside <script>, "<", ">" and "&" must not end the element early.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def product_json_ld(*, page, request, variants, badges, images) -> str:
    """schema.org Product with one Offer per active variant, as a string safe
    to put inside <script type="application/ld+json">."""
    url = request.build_absolute_uri(page.url) if page.url else ""
    offers = []
    for choice in variants:
        offer = {
            "@type": "Offer",
            "sku": choice.variant.sku,
            "price": choice.variant.price_vnd,
            "priceCurrency": "VND",
            "availability": "https://schema.org/InStock"
            if choice.available > 0
            else "https://schema.org/OutOfStock",
            "url": url,
        }
        if gtin := choice.variant.gtin_printed:
            offer[f"gtin{len(gtin)}"] = gtin
        offers.append(offer)
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": page.title,
        "description": strip_tags(page.description).strip(),
        "url": url,
        "category": page.get_category_display(),
        "brand": {"@type": "Organization", "name": page.seller.legal_name},
        "offers": offers,
    }
    rendition_urls = [
        request.build_absolute_uri(
            item.image.get_rendition(selectors.DETAIL_RENDITION).url
        )
        for item in images
    ]
    if rendition_urls:
        data["image"] = rendition_urls
    awards = [
        badge.label
        for badge in badges
        if not badge.expired
        and badge.kind in (CertificationKind.OCOP, CertificationKind.VIETGAP)
    ]
    if awards:
        data["award"] = awards
    return mark_safe(_ld_escape(data))  # noqa: S308 - escaped above
