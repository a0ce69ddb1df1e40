"""Write a plan in bulk, in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import (
    Certification,
    MarketIndexPage,
    ProductPage,
    Seller,
    Stock,
    StorePage,
    Variant,
)
from market.services.catalogue import product_refresh_summaries
from market.services.sellers import MarketNotSetUp

from .pages import NewPage, pages_bulk_create
from .plan import _chunks, _description_html
from .types import (
    _BATCH,
    ImportFileError,
    ImportPlan,
)

# --- apply -----------------------------------------------------------------


def _stores_by_seller(seller_ids: list[int]) -> dict[int, StorePage]:
    stores = {}
    for chunk in _chunks(seller_ids):
        for store in StorePage.objects.filter(seller_id__in=chunk).only(
            "pk", "path", "depth", "url_path", "locale_id", "seller_id"
        ):
            stores[store.seller_id] = store
    return stores


def _create_product_pages(
    plan: ImportPlan, *, sellers: dict[str, Seller], publish: bool, user
) -> None:
    """Create the new ProductPages in bulk under their sellers' stores."""
    if not plan.new_products:
        return
    stores = _stores_by_seller(sorted({s.pk for s in sellers.values()}))
    items = []
    for new in plan.new_products.values():
        seller = sellers[new.key[0]]
        fields = {
            "seller_id": seller.pk,
            "category": new.data.category,
            "unit": new.data.unit,
            "description": _description_html(new.data.description),
        }
        items.append(NewPage(stores[seller.pk], new.data.name, fields))
    pages_bulk_create(model=ProductPage, items=items, publish=publish, user=user)
    for new, item in zip(plan.new_products.values(), items, strict=True):
        new.page_id = item.page_id
    plan.touched_product_ids.update(item.page_id for item in items)


def _create_store_pages(sellers: list[Seller]) -> None:
    """Live StorePages for sellers that have none, in bulk under the market."""
    if not sellers:
        return
    market = MarketIndexPage.objects.first()
    if market is None:
        raise MarketNotSetUp(
            "There is no market page: run `manage.py migrate`, it creates one."
        )
    items = [
        NewPage(market, seller.legal_name, {"seller_id": seller.pk})
        for seller in sellers
    ]
    pages_bulk_create(model=StorePage, items=items, publish=True)


def _apply_sellers(plan: ImportPlan) -> dict[str, Seller]:
    Seller.objects.bulk_create(plan.new_sellers, batch_size=_BATCH)
    Seller.objects.bulk_update(
        plan.changed_sellers,
        ["legal_name", "kind", "phone", "province_code", "ward_code"],
        batch_size=_BATCH,
    )
    sellers = {}
    for seller in [*plan.new_sellers, *plan.changed_sellers]:
        sellers[seller.tax_code] = seller
    for row in plan.rows:
        sellers.setdefault(row.seller.tax_code, None)
    missing = [tax for tax, seller in sellers.items() if seller is None]
    for chunk in _chunks(missing):
        sellers.update(
            (s.tax_code, s) for s in Seller.objects.filter(tax_code__in=chunk)
        )
    with_store = set()
    for chunk in _chunks([s.pk for s in sellers.values()]):
        with_store.update(
            StorePage.objects.filter(seller_id__in=chunk).values_list(
                "seller_id", flat=True
            )
        )
    storeless = [s for s in sellers.values() if s.pk not in with_store]
    _create_store_pages(storeless)
    # Only the store pages here. A seller's group, collection and admin
    # permissions come with its first login (`seller_provision`, called by
    # approval and by whoever attaches a login): provisioning each of
    # thousands of imported sellers one by one cost ~1.5 s a seller.
    if plan.changed_sellers:
        plan.touched_product_ids.update(
            ProductPage.objects.filter(seller__in=plan.changed_sellers).values_list(
                "pk", flat=True
            )
        )
    return sellers


def _product_ids(plan: ImportPlan, sellers: dict[str, Seller]) -> dict:
    ids = {key: new.page_id for key, new in plan.new_products.items()}
    wanted = {row.product_key for row in plan.rows} - set(ids)
    by_seller: dict[int, set[str]] = {}
    for tax, name in wanted:
        by_seller.setdefault(sellers[tax].pk, set()).add(name)
    tax_by_pk = {seller.pk: tax for tax, seller in sellers.items()}
    for chunk in _chunks(list(by_seller)):
        for pk, seller_id, title in ProductPage.objects.filter(
            seller_id__in=chunk
        ).values_list("pk", "seller_id", "title"):
            if title in by_seller[seller_id]:
                ids[(tax_by_pk[seller_id], title)] = pk
    return ids


def _apply_variants(plan: ImportPlan, product_ids: dict) -> None:
    next_order: dict[int, int] = {}
    new = []
    for key, variant, _stock in plan.new_variants:
        variant.product_id = product_ids[key]
        order = next_order.get(variant.product_id)
        if order is None:
            order = (
                Variant.objects.filter(product_id=variant.product_id).count()
                if (key not in plan.new_products)
                else 0
            )
        variant.sort_order = order
        next_order[variant.product_id] = order + 1
        new.append(variant)
    Variant.objects.bulk_create(new, batch_size=_BATCH)
    Stock.objects.bulk_create(
        [
            Stock(variant_id=variant.pk, on_hand=stock)
            for _key, variant, stock in plan.new_variants
        ],
        batch_size=_BATCH,
    )
    Variant.objects.bulk_update(
        plan.changed_variants,
        ["label", "weight_g", "price_vnd", "gtin", "sku"],
        batch_size=_BATCH,
    )
    plan.touched_product_ids.update(
        product_ids[key] for key, _v, _s in plan.new_variants
    )
    _apply_stock(plan)


def _apply_stock(plan: ImportPlan) -> None:
    """Set counted stock, locking the rows in pk order as checkout does; a
    count below what orders hold (changed since planning) aborts the import."""
    ids = sorted(plan.stock_changes)
    for chunk in _chunks(ids):
        stocks = list(
            Stock.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
        )
        found = {stock.pk for stock in stocks}
        for stock in stocks:
            on_hand = plan.stock_changes[stock.pk]
            if on_hand < stock.allocated:
                raise ImportFileError(
                    _(
                        "Tồn kho của một loại hàng vừa được giữ cho đơn mới; hãy nhập "
                        "lại tệp."
                    )
                )
            stock.on_hand = on_hand
            stock.updated_at = timezone.now()
        Stock.objects.bulk_update(stocks, ["on_hand", "updated_at"])
        Stock.objects.bulk_create(
            [
                Stock(variant_id=pk, on_hand=plan.stock_changes[pk])
                for pk in chunk
                if pk not in found
            ]
        )


def _apply_certifications(plan: ImportPlan, sellers, product_ids) -> None:
    new = []
    for key, cert in plan.new_certifications:
        cert.seller_id = sellers[key[0]].pk
        cert.product_id = product_ids[key]
        new.append(cert)
        plan.touched_product_ids.add(cert.product_id)
    Certification.objects.bulk_create(new, batch_size=_BATCH)
    Certification.objects.bulk_update(
        plan.changed_certifications,
        ["stars", "issued_on", "valid_until", "status", "reviewed_by", "reviewed_at"],
        batch_size=_BATCH,
    )


def catalogue_apply(*, plan: ImportPlan, publish: bool = True, user=None) -> ImportPlan:
    """Write a plan without errors in one transaction, then refresh the
    summaries of every product it touched. Refuses a plan with errors."""
    if plan.errors:
        raise ImportFileError(_("Tệp còn lỗi, chưa ghi gì vào hệ thống."))
    with transaction.atomic():
        sellers = _apply_sellers(plan)
        _create_product_pages(plan, sellers=sellers, publish=publish, user=user)
        ProductPage.objects.bulk_update(
            plan.changed_products,
            ["category", "description", "unit"],
            batch_size=_BATCH,
        )
        product_ids = _product_ids(plan, sellers)
        _apply_variants(plan, product_ids)
        _apply_certifications(plan, sellers, product_ids)
        product_refresh_summaries(product_ids=plan.touched_product_ids)
    return plan
