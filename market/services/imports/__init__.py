"""The catalogue CSV import: parse → validate every row → plan → apply.

One row per variant (columns in docs/catalogue.md). Sellers are keyed by tax
code, products by seller + product name, variants by GTIN, or by SKU when the
row has no GTIN. The rules this module keeps:

- A file with any error writes nothing; every bad row is reported with its
  line number and a reason in Vietnamese.
- Importing the same file twice leaves the same data; the second run plans
  zero changes.
- An import only adds and updates: rows missing from a file delete nothing.
- An operator import (`approve_certifications=True`) records the file's OCOP
  and VietGAP certificates as approved by that operator; a farmer's upload
  leaves new or changed certificates pending review.
- A farmer import (`only_seller=...`) touches that seller only; rows with
  another tax code are errors. Its new products are created as drafts for
  the farmer to submit through moderation.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import TextIO

from django.utils.translation import gettext as _

from market.models import Seller

from .apply import catalogue_apply
from .parse import catalogue_parse, catalogue_read, catalogue_row_parse
from .plan import catalogue_plan
from .types import (
    CatalogueRow,
    ImportFileError,
    ImportPlan,
    RowError,
)

__all__ = [
    "CatalogueRow",
    "ImportFileError",
    "ImportPlan",
    "RowError",
    "catalogue_apply",
    "catalogue_import",
    "catalogue_parse",
    "catalogue_plan",
    "catalogue_read",
    "catalogue_row_parse",
    "catalogue_text",
]


def catalogue_import(
    *,
    stream: TextIO,
    dry_run: bool = False,
    only_seller: Seller | None = None,
    approve_certifications: bool = False,
    publish: bool = True,
    user=None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ImportPlan:
    """Parse, validate and plan a catalogue file, and apply it unless it is a
    dry run or has errors. The returned plan carries errors and counts."""
    rows, errors, warnings = catalogue_parse(stream=stream, progress=progress)
    plan = catalogue_plan(
        rows=rows,
        only_seller=only_seller,
        approve_certifications=approve_certifications,
        user=user,
    )
    plan.errors = sorted([*errors, *plan.errors], key=lambda error: error.line)
    plan.warnings = warnings
    if not dry_run and not plan.errors and plan.change_count:
        catalogue_apply(plan=plan, publish=publish, user=user)
    return plan


def catalogue_text(data: bytes) -> io.StringIO:
    """Decode an uploaded file strictly as UTF-8 (a BOM is allowed)."""
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "Tệp không phải văn bản UTF-8. Trong Excel hãy chọn «Lưu thành» → "
                "«CSV UTF-8»."
            )
        ) from None
