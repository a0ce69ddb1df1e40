"""Data types of the catalogue import: rows, errors and the plan."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from market.models import (
    Certification,
    ProductPage,
    Seller,
    Variant,
)

REQUIRED_COLUMNS = (
    "seller_name",
    "seller_kind",
    "tax_code",
    "phone",
    "province",
    "ward",
    "product_name",
    "category",
    "description",
    "unit",
    "variant",
    "weight_g",
    "price_vnd",
    "stock",
    "gtin",
)
OPTIONAL_COLUMNS = (
    "sku",
    "ocop_stars",
    "ocop_certificate",
    "ocop_issued_on",
    "vietgap_certificate",
    "vietgap_valid_until",
    "farm_name",
    "farm_lat",
    "farm_lng",
)
PRICE_MIN, PRICE_MAX = 1000, 10**11
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_BATCH = 500


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Dòng %(line)s: %(message)s") % {
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True)
class SellerData:
    tax_code: str
    legal_name: str
    kind: str
    phone: str
    province_code: int
    ward_code: int | None


@dataclass(frozen=True)
class CertData:
    kind: str
    number: str
    stars: int | None
    issued_on: dt.date | None
    valid_until: dt.date | None


@dataclass(frozen=True)
class FarmData:
    """Kept for traceability, which owns farms; the catalogue ignores it."""

    name: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class ProductData:
    name: str
    category: str
    description: str
    unit: str
    certifications: tuple[CertData, ...]


@dataclass(frozen=True)
class VariantData:
    label: str
    weight_g: int
    price_vnd: int
    stock: int
    gtin: str | None
    sku: str
    sku_given: bool


@dataclass(frozen=True)
class CatalogueRow:
    line: int
    seller: SellerData
    product: ProductData
    variant: VariantData
    farm: FarmData | None

    @property
    def product_key(self) -> tuple[str, str]:
        return (self.seller.tax_code, self.product.name)


@dataclass
class NewProduct:
    key: tuple[str, str]
    data: ProductData
    page_id: int | None = None


@dataclass
class ImportPlan:
    """What applying the file would change; empty lists mean nothing to do."""

    rows: list[CatalogueRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Rows imported with a caveat (an unknown ward left empty).
    warnings: list[RowError] = field(default_factory=list)
    new_sellers: list[Seller] = field(default_factory=list)
    changed_sellers: list[Seller] = field(default_factory=list)
    new_products: dict[tuple[str, str], NewProduct] = field(default_factory=dict)
    changed_products: list[ProductPage] = field(default_factory=list)
    new_variants: list[tuple[tuple[str, str], Variant, int]] = field(
        default_factory=list
    )
    changed_variants: list[Variant] = field(default_factory=list)
    stock_changes: dict[int, int] = field(default_factory=dict)
    new_certifications: list[tuple[tuple[str, str], Certification]] = field(
        default_factory=list
    )
    changed_certifications: list[Certification] = field(default_factory=list)
    touched_product_ids: set[int] = field(default_factory=set)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "new_sellers": len(self.new_sellers),
            "changed_sellers": len(self.changed_sellers),
            "new_products": len(self.new_products),
            "changed_products": len(self.changed_products),
            "new_variants": len(self.new_variants),
            "changed_variants": len(self.changed_variants),
            "stock_changes": len(self.stock_changes),
            "new_certifications": len(self.new_certifications),
            "changed_certifications": len(self.changed_certifications),
        }

    @property
    def change_count(self) -> int:
        counts = self.counts
        counts.pop("rows")
        return sum(counts.values())
