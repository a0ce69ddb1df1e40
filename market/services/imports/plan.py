"""Compare validated rows with the database: what would change (read-only)."""

from __future__ import annotations

import html
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import (
    Certification,
    CertificationKind,
    ProductPage,
    ReviewStatus,
    Seller,
    Variant,
)

from .types import (
    _BATCH,
    CatalogueRow,
    CertData,
    ImportPlan,
    NewProduct,
    ProductData,
    RowError,
    SellerData,
)

# --- cross-row checks ------------------------------------------------------


def _check_consistency(
    rows: list[CatalogueRow],
) -> tuple[list[CatalogueRow], list[RowError]]:
    """Rows about the same seller, product or certificate must agree, and a
    GTIN or SKU may appear once. The first row wins; later ones are errors."""
    errors: list[RowError] = []
    kept: list[CatalogueRow] = []
    sellers: dict[str, tuple[int, SellerData]] = {}
    products: dict[tuple[str, str], tuple[int, ProductData]] = {}
    certificates: dict[tuple[str, str, str], tuple[int, tuple[str, str]]] = {}
    gtins: dict[str, int] = {}
    skus: dict[str, int] = {}
    for row in rows:
        problems = []
        first = sellers.setdefault(row.seller.tax_code, (row.line, row.seller))
        if first[1] != row.seller:
            problems.append(
                _("thông tin người bán khác với dòng %(line)s có cùng mã số thuế.")
                % {"line": first[0]}
            )
        first_product = products.setdefault(row.product_key, (row.line, row.product))
        if first_product[1] != row.product:
            problems.append(
                _(
                    "thông tin sản phẩm «%(name)s» (nhóm, mô tả, đơn vị, chứng nhận) "
                    "khác với dòng %(line)s."
                )
                % {"name": row.product.name, "line": first_product[0]}
            )
        for cert in row.product.certifications:
            key = (row.seller.tax_code, cert.kind, cert.number)
            seen = certificates.setdefault(key, (row.line, row.product_key))
            if seen[1] != row.product_key:
                problems.append(
                    _(
                        "số chứng nhận %(number)s đã dùng cho sản phẩm khác ở dòng "
                        "%(line)s; mỗi sản phẩm cần số chứng nhận riêng."
                    )
                    % {"number": cert.number, "line": seen[0]}
                )
        if row.variant.gtin:
            seen_line = gtins.setdefault(row.variant.gtin, row.line)
            if seen_line != row.line:
                problems.append(
                    _("mã GTIN %(gtin)s đã có ở dòng %(line)s.")
                    % {"gtin": row.variant.gtin, "line": seen_line}
                )
        seen_line = skus.setdefault(row.variant.sku, row.line)
        # A SKU made from a repeated GTIN is the same mistake, reported once.
        if seen_line != row.line and (row.variant.sku_given or not row.variant.gtin):
            problems.append(
                _("mã hàng (SKU) %(sku)s đã có ở dòng %(line)s.")
                % {"sku": row.variant.sku, "line": seen_line}
            )
        errors.extend(
            RowError(row.line, problem[0].upper() + problem[1:]) for problem in problems
        )
        if not problems:
            kept.append(row)
    return kept, errors


# --- plan against the database ---------------------------------------------


def _description_html(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>" if text else ""


def _chunks(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Planner:
    def __init__(self, *, rows, only_seller, approve_certifications, user):
        self.rows = rows
        self.only_seller = only_seller
        self.approve = approve_certifications
        self.user = user
        self.plan = ImportPlan(rows=rows)
        self.now = timezone.now()

    def run(self) -> ImportPlan:
        rows = self._check_owner(self.rows)
        rows, errors = _check_consistency(rows)
        self.plan.errors.extend(errors)
        self._load(rows)
        for row in rows:
            self._plan_row(row)
        self.plan.errors.sort(key=lambda error: error.line)
        return self.plan

    def _check_owner(self, rows):
        if self.only_seller is None:
            return rows
        kept = []
        for row in rows:
            if row.seller.tax_code != self.only_seller.tax_code:
                self.plan.errors.append(
                    RowError(
                        row.line,
                        _(
                            "Mã số thuế %(tax)s không phải của cửa hàng bạn "
                            "(%(own)s). Bạn chỉ nhập được hàng của cửa hàng mình."
                        )
                        % {
                            "tax": row.seller.tax_code,
                            "own": self.only_seller.tax_code,
                        },
                    )
                )
            else:
                kept.append(row)
        return kept

    def _load(self, rows):
        tax_codes = sorted({row.seller.tax_code for row in rows})
        self.sellers = {}
        for chunk in _chunks(tax_codes):
            self.sellers.update(
                (s.tax_code, s) for s in Seller.objects.filter(tax_code__in=chunk)
            )
        seller_ids = [seller.pk for seller in self.sellers.values()]
        self.products = {}
        for chunk in _chunks(seller_ids):
            for product in (
                ProductPage.objects.filter(seller_id__in=chunk)
                .only(
                    "pk",
                    "title",
                    "seller_id",
                    "category",
                    "description",
                    "unit",
                    "seller__tax_code",
                )
                .select_related("seller")
            ):
                self.products[(product.seller.tax_code, product.title)] = product
        self.variants_by_gtin, self.variants_by_sku = {}, {}
        gtins = sorted({row.variant.gtin for row in rows if row.variant.gtin})
        skus = sorted({row.variant.sku for row in rows})
        for values, lookup in ((gtins, "gtin__in"), (skus, "sku__in")):
            for chunk in _chunks(values):
                for variant in Variant.objects.filter(**{lookup: chunk}).select_related(
                    "stock"
                ):
                    if variant.gtin:
                        self.variants_by_gtin[variant.gtin] = variant
                    self.variants_by_sku[variant.sku] = variant
        self.certifications = {}
        for chunk in _chunks(seller_ids):
            for cert in Certification.objects.filter(
                seller_id__in=chunk,
                kind__in=[CertificationKind.OCOP, CertificationKind.VIETGAP],
            ):
                self.certifications[(cert.seller_id, cert.kind, cert.number)] = cert
        self.planned_sellers: dict[str, Seller] = {}
        self.planned_products: set[tuple[str, str]] = set()

    def _error(self, row, message):
        self.plan.errors.append(RowError(row.line, message))

    def _plan_row(self, row: CatalogueRow) -> None:
        seller = self._plan_seller(row)
        product = self._plan_product(row, seller)
        if product is False:
            return
        self._plan_variant(row, product)

    def _plan_seller(self, row) -> Seller:
        data = row.seller
        if data.tax_code in self.planned_sellers:
            return self.planned_sellers[data.tax_code]
        seller = self.sellers.get(data.tax_code)
        fields = {
            "legal_name": data.legal_name,
            "kind": data.kind,
            "phone": data.phone,
            "province_code": data.province_code,
            "ward_code": data.ward_code,
        }
        if seller is None:
            seller = Seller(tax_code=data.tax_code, **fields)
            self.plan.new_sellers.append(seller)
        elif self.only_seller is None and any(
            getattr(seller, name) != value for name, value in fields.items()
        ):
            for name, value in fields.items():
                setattr(seller, name, value)
            self.plan.changed_sellers.append(seller)
        self.planned_sellers[data.tax_code] = seller
        return seller

    def _plan_product(self, row, seller) -> ProductPage | tuple | bool:
        """The existing product, the key of a planned new one, or False when
        the row cannot be planned."""
        key = row.product_key
        product = self.products.get(key)
        if key in self.planned_products:
            return product if product is not None else key
        self.planned_products.add(key)
        data = row.product
        if product is None:
            self.plan.new_products[key] = NewProduct(key=key, data=data)
            for cert in data.certifications:
                self._plan_certification(row, seller, None, key, cert)
            return key
        wanted = {
            "category": data.category,
            "description": _description_html(data.description),
            "unit": data.unit,
        }
        if any(getattr(product, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(product, name, value)
            self.plan.changed_products.append(product)
            self.plan.touched_product_ids.add(product.pk)
        for cert in data.certifications:
            self._plan_certification(row, seller, product, key, cert)
        return product

    def _plan_certification(self, row, seller, product, key, data: CertData):
        existing = self.certifications.get((seller.pk, data.kind, data.number))
        status = ReviewStatus.APPROVED if self.approve else ReviewStatus.PENDING
        review = {
            "reviewed_by": self.user if self.approve else None,
            "reviewed_at": self.now if self.approve else None,
        }
        if existing is None or seller.pk is None:
            cert = Certification(
                kind=data.kind,
                number=data.number,
                stars=data.stars,
                issued_on=data.issued_on,
                valid_until=data.valid_until,
                status=status,
                ocop_level="",
                **review,
            )
            self.plan.new_certifications.append((key, cert))
            return
        if existing.product_id is None:
            return  # a store-wide certificate already covers this product
        if product is None or existing.product_id != product.pk:
            self._error(
                row,
                _(
                    "Số chứng nhận %(number)s đã gắn với một sản phẩm khác của "
                    "cửa hàng. Mỗi sản phẩm cần số chứng nhận riêng."
                )
                % {"number": data.number},
            )
            return
        wanted = {
            "stars": data.stars,
            "issued_on": data.issued_on,
            "valid_until": data.valid_until,
        }
        changed = any(
            getattr(existing, name) != value for name, value in wanted.items()
        )
        if changed or (self.approve and existing.status != ReviewStatus.APPROVED):
            for name, value in wanted.items():
                setattr(existing, name, value)
            existing.status = status
            existing.reviewed_by, existing.reviewed_at = (
                review["reviewed_by"],
                review["reviewed_at"],
            )
            self.plan.changed_certifications.append(existing)
            self.plan.touched_product_ids.add(product.pk)

    def _find_variant(self, row) -> Variant | None:
        data = row.variant
        variant = self.variants_by_gtin.get(data.gtin) if data.gtin else None
        if variant is None and (data.sku_given or not data.gtin):
            variant = self.variants_by_sku.get(data.sku)
        return variant

    def _plan_variant(self, row, product) -> None:
        data = row.variant
        variant = self._find_variant(row)
        owner = self.products.get(row.product_key)
        if variant is not None and (owner is None or variant.product_id != owner.pk):
            self._error(
                row,
                _("Mã %(code)s đã dùng cho loại hàng của sản phẩm khác.")
                % {"code": data.gtin or data.sku},
            )
            return
        clash = self.variants_by_sku.get(data.sku)
        same = variant is not None and clash is not None and clash.pk == variant.pk
        if clash is not None and not same and (data.sku_given or variant is None):
            self._error(
                row,
                _("Mã hàng (SKU) %(sku)s đã dùng cho loại hàng khác.")
                % {"sku": data.sku},
            )
            return
        if variant is None:
            new = Variant(
                label=data.label,
                sku=data.sku,
                gtin=data.gtin,
                weight_g=data.weight_g,
                price_vnd=data.price_vnd,
                is_active=True,
            )
            self.plan.new_variants.append((row.product_key, new, data.stock))
            return
        self._plan_variant_change(row, variant)

    def _plan_variant_change(self, row, variant: Variant) -> None:
        data = row.variant
        wanted = {
            "label": data.label,
            "weight_g": data.weight_g,
            "price_vnd": data.price_vnd,
        }
        if data.gtin:  # a row without GTIN never clears one set in the admin
            wanted["gtin"] = data.gtin
        if data.sku_given:
            wanted["sku"] = data.sku
        if any(getattr(variant, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(variant, name, value)
            self.plan.changed_variants.append(variant)
            self.plan.touched_product_ids.add(variant.product_id)
        stock = getattr(variant, "stock", None)
        if stock is None or stock.on_hand != data.stock:
            if stock is not None and data.stock < stock.allocated:
                self._error(
                    row,
                    _("Tồn kho %(new)s ít hơn số đang giữ cho đơn hàng (%(held)s).")
                    % {"new": data.stock, "held": stock.allocated},
                )
                return
            self.plan.stock_changes[variant.pk] = data.stock
            self.plan.touched_product_ids.add(variant.product_id)


def catalogue_plan(
    *,
    rows: list[CatalogueRow],
    only_seller: Seller | None = None,
    approve_certifications: bool = False,
    user=None,
) -> ImportPlan:
    """Compare validated rows with the database; read-only.

    Every row that cannot be applied becomes a `RowError` on the plan."""
    return _Planner(
        rows=rows,
        only_seller=only_seller,
        approve_certifications=approve_certifications,
        user=user,
    ).run()
