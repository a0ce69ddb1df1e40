"""Tax withheld per sale for household and individual sellers (Decree
117/2025/NĐ-CP, in force 1 July 2025: a platform that takes payment
withholds VAT and resident personal income tax on each sale and declares
them monthly).

Rules kept:
- A delivered shipment of a withheld seller gets one `vat` and one `pit`
  ledger line (negative: kept from the payout), each with the revenue it was
  withheld on in `base_vnd`. A seller that declares its own tax (a
  cooperative or enterprise with the flag set) gets none; a household
  always does.
- The rate is the `TaxRate` of the line's kind of business in force on the
  day of delivery (Asia/Ho_Chi_Minh). Tourism services are services; every
  other OCOP group is goods.
- Amounts are whole dong, rounded half up, per kind of business and tax.
- A refund after delivery adds the reverse lines (positive) for the refunded
  share, so what was withheld on a sale that did not happen is given back.
- The month of a line is its local (Asia/Ho_Chi_Minh) month.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from market.checkout.models import Shipment
from market.models import OcopCategory, Seller, SellerKind

from ..models import LedgerKind, TaxActivity, TaxRate

_ACTIVITY_OF_CATEGORY = {OcopCategory.TOURISM: TaxActivity.SERVICES}


# The rates the decree's circular gives (the same as the fulfilment
# migration 0002 seeds): Circular 40/2021/TT-BTC, Appendix I.
DEFAULT_RATES = [
    (TaxActivity.GOODS, Decimal("1.00"), Decimal("0.50")),
    (TaxActivity.SERVICES, Decimal("5.00"), Decimal("2.00")),
]
DEFAULT_SOURCE = (
    "Nghị định 117/2025/NĐ-CP (từ 01/07/2025); tỷ lệ theo Thông tư "
    "40/2021/TT-BTC, Phụ lục I"
)


def tax_rates_default_ensure() -> None:
    """The decree's rates, when the table is empty (a new or flushed
    database); the operator's own rows are never touched."""
    if TaxRate.objects.exists():
        return
    for activity, vat, pit in DEFAULT_RATES:
        TaxRate.objects.create(
            activity=activity,
            valid_from=dt.date(2025, 7, 1),
            vat_percent=vat,
            pit_percent=pit,
            source=DEFAULT_SOURCE,
        )


class TaxRateMissing(LookupError):
    """No rate in force for a kind of business on a day: the operator must
    add one before sales of that kind can be credited."""


def seller_tax_withheld(*, seller: Seller) -> bool:
    """Households always; cooperatives and enterprises unless they declare
    their own tax."""
    return seller.kind == SellerKind.HOUSEHOLD or not seller.declares_own_tax


def tax_rate_in_force(*, activity: str, day: dt.date) -> TaxRate:
    rate = (
        TaxRate.objects.filter(activity=activity, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    if rate is None:
        raise TaxRateMissing(f"no tax rate for {activity} on {day}")
    return rate


def _whole_dong(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def shipment_tax_bases(*, shipment: Shipment, gross_vnd: int) -> dict[str, int]:
    """The shipment's `gross_vnd` split by kind of business, in proportion to
    its lines' goods value (the remainder goes to the largest part)."""
    values: dict[str, int] = {}
    for line in shipment.lines.select_related("variant__product"):
        product = line.variant.product if line.variant else None
        category = product.category if product else OcopCategory.FOOD
        activity = _ACTIVITY_OF_CATEGORY.get(category, TaxActivity.GOODS)
        values[activity] = values.get(activity, 0) + line.unit_price_vnd * line.quantity
    total = sum(values.values())
    if not total:
        return {}
    bases = {activity: gross_vnd * value // total for activity, value in values.items()}
    largest = max(values, key=values.get)
    bases[largest] += gross_vnd - sum(bases.values())
    return bases


def tax_lines(
    *, bases: dict[str, int], day: dt.date, sign: int
) -> list[tuple[str, int, int, str]]:
    """(ledger kind, amount, base, note) per tax: amounts withheld on the
    bases (`sign` -1) or given back (+1)."""
    lines: dict[str, list] = {LedgerKind.VAT: [0, 0, []], LedgerKind.PIT: [0, 0, []]}
    for activity, base in sorted(bases.items()):
        if base <= 0:
            continue
        rate = tax_rate_in_force(activity=activity, day=day)
        for kind, percent in (
            (LedgerKind.VAT, rate.vat_percent),
            (LedgerKind.PIT, rate.pit_percent),
        ):
            entry = lines[kind]
            entry[0] += _whole_dong(base * percent / 100)
            entry[1] += base
            entry[2].append(f"{percent.normalize()}% × {base}")
    return [
        (kind, sign * amount, -sign * base, "; ".join(notes))
        for kind, (amount, base, notes) in lines.items()
        if base
    ]


# --- the monthly declaration ------------------------------------------------

TAX_REPORT_COLUMNS = [
    "stt",
    "ten_nguoi_ban",
    "ma_so_thue",
    "dia_chi",
    "doanh_thu_vnd",
    "thue_gtgt_vnd",
    "thue_tncn_vnd",
]


def month_bounds(*, year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, first instant of the next month) in local time."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    days = calendar.monthrange(year, month)[1]
    end = timezone.make_aware(dt.datetime(year, month, days) + dt.timedelta(days=1))
    return start, end


def tax_month_rows(*, year: int, month: int) -> list[dict]:
    """Per seller with tax lines in the month: revenue taxed (net of
    refunds), VAT and PIT withheld (net of what was given back)."""
    start, end = month_bounds(year=year, month=month)
    month_q = Q(
        ledger_entries__created_at__gte=start, ledger_entries__created_at__lt=end
    )

    def total(kind: str, field: str = "amount_vnd"):
        return Sum(
            f"ledger_entries__{field}",
            filter=month_q & Q(ledger_entries__kind=kind),
            default=0,
        )

    sellers = (
        Seller.objects.filter(
            month_q, ledger_entries__kind__in=[LedgerKind.VAT, LedgerKind.PIT]
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    rows = (
        Seller.objects.filter(pk__in=list(sellers))
        .annotate(
            revenue=total(LedgerKind.VAT, "base_vnd"),
            vat=total(LedgerKind.VAT),
            pit=total(LedgerKind.PIT),
        )
        .order_by("tax_code")
    )
    return [
        {
            "stt": number,
            "ten_nguoi_ban": seller.legal_name,
            "ma_so_thue": seller.tax_code,
            "dia_chi": ", ".join(
                part
                for part in (
                    seller.address_line,
                    seller.ward_name,
                    seller.province_name,
                )
                if part
            ),
            "doanh_thu_vnd": seller.revenue,
            "thue_gtgt_vnd": -seller.vat,
            "thue_tncn_vnd": -seller.pit,
        }
        for number, seller in enumerate(rows, start=1)
    ]


def tax_month_csv(*, year: int, month: int) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TAX_REPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(tax_month_rows(year=year, month=month))
    return buffer.getvalue()
