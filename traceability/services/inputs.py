"""One step back across businesses (Circular 02/2024/TT-BKHCN, Art. 6.1 a,
"một bước trước - một bước sau"): record what a lot was made from.

`lot_input_add` is the only writer of `LotInput`. One step forward needs no
writer of its own: it is read from the packing allocations (the orders a lot
reached) and from other lots' inputs (the businesses that used it).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from market.identifiers import gtin_validator, tax_code_validator
from traceability.models import DiaryEntry, DiaryKind, Lot, LotInput, gln_validator
from traceability.selectors import lots_visible_to


def _clean(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _check_source(lot: Lot, source_lot: Lot) -> None:
    if source_lot.pk == lot.pk:
        raise ValidationError(_("Một lô không thể là nguyên liệu của chính nó."))
    if source_lot.harvested_on > lot.harvested_on:
        raise ValidationError(
            _(
                "Lô nguyên liệu %(code)s thu hoạch sau lô này: hãy xem lại mã "
                "lô trên tem của bên bán."
            )
            % {"code": source_lot.code}
        )


def _check_typed_codes(*, tax_code: str, gln: str, gtin: str) -> None:
    if tax_code:
        tax_code_validator(tax_code)
    gln_validator(gln)
    gtin_validator(gtin)


def lot_input_add(
    *,
    lot: Lot,
    actor,
    source_lot: Lot | None = None,
    diary_entry: DiaryEntry | None = None,
    product_name: str = "",
    supplier_name: str = "",
    supplier_tax_code: str = "",
    supplier_gln: str = "",
    supplier_lot_code: str = "",
    supplier_gtin: str = "",
    quantity: str = "",
    received_on: dt.date | None = None,
) -> LotInput:
    """Record one input of `lot`.

    Rules kept: only staff of the lot's seller or the operator; a lot on the
    market (`source_lot`) is never the lot itself and was harvested no later
    than it, and its supplier, tax code, GTIN and lot code come from that lot
    (not from what was typed); a diary entry is an input entry of the lot's
    own farm; otherwise the input and its supplier must be named. Codes are
    checked (tax code, GLN, GTIN check digits).
    """
    if not lots_visible_to(user=actor).filter(pk=lot.pk).exists():
        raise PermissionDenied
    if source_lot is not None:
        _check_source(lot, source_lot)
        seller = source_lot.farm.seller
        product_name = _clean(product_name, 150) or source_lot.variant.product.title
        supplier_name = seller.legal_name
        supplier_tax_code = seller.tax_code
        supplier_gln = source_lot.farm.gln
        supplier_lot_code = source_lot.code
        supplier_gtin = source_lot.variant.gtin or ""
    if diary_entry is not None:
        if diary_entry.farm_id != lot.farm_id or diary_entry.kind != DiaryKind.INPUT:
            raise ValidationError(
                _(
                    "Chỉ chọn được ghi chép bón phân / phun thuốc của vườn "
                    "làm ra lô này."
                )
            )
        product_name = _clean(product_name, 150) or diary_entry.input_product
    product_name = _clean(product_name, 150)
    supplier_name = _clean(supplier_name, 200)
    if not product_name:
        raise ValidationError(_("Hãy ghi tên nguyên liệu hoặc vật tư."))
    if not supplier_name:
        raise ValidationError(_("Hãy ghi tên bên cung cấp (người bán cho bạn)."))
    supplier_tax_code = _clean(supplier_tax_code, 14)
    supplier_gln = _clean(supplier_gln, 13)
    supplier_gtin = _clean(supplier_gtin, 14)
    if source_lot is None:  # typed codes; a market lot's are already checked
        _check_typed_codes(
            tax_code=supplier_tax_code, gln=supplier_gln, gtin=supplier_gtin
        )
    return LotInput.objects.create(
        lot=lot,
        source_lot=source_lot,
        diary_entry=diary_entry,
        product_name=product_name,
        supplier_name=supplier_name,
        supplier_tax_code=supplier_tax_code,
        supplier_gln=supplier_gln,
        supplier_lot_code=_clean(supplier_lot_code, 40),
        supplier_gtin=supplier_gtin and supplier_gtin.zfill(14),
        quantity=_clean(quantity, 60),
        received_on=received_on,
        created_by=actor,
    )
