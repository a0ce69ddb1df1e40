"""The sellers' ledger: what the market owes each seller.

Rules kept:
- A delivered shipment is credited once (unique per shipment and kind) with
  two entries: `sale` = the goods value of its lines (less its share of any
  refund already made), and `commission` = minus MARKET_COMMISSION_PERCENT of
  that, rounded to the dong. The shipping fee is not the seller's.
- A refund after delivery debits each credited shipment of the order with
  its share of the refund (by goods value over the order total), net of the
  commission on that share, which the market gives back.
- A seller whose tax the market withholds (`services.taxes`) also gets the
  VAT and PIT lines of the delivery, and their reversal with a refund, so
  the balance (the payout) is net of tax withheld.
- Entries are only ever added; the balance is their sum.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from market.checkout.models import Order, Shipment
from market.models import Seller

from ..models import LedgerEntry, LedgerKind
from .taxes import seller_tax_withheld, shipment_tax_bases, tax_lines


def _commission(amount: int) -> int:
    return (amount * settings.MARKET_COMMISSION_PERCENT + 50) // 100


def _refund_share(*, shipment: Shipment, order: Order, refunded: int) -> int:
    if not order.total_vnd:
        return 0
    return refunded * shipment.subtotal_vnd // order.total_vnd


def _add(**fields) -> LedgerEntry | None:
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(**fields)
    except IntegrityError:
        return None  # already recorded: the unique constraint keeps it once


def _tax_entries(
    *, shipment: Shipment, gross: int, sign: int, day: dt.date, common: dict
) -> list[LedgerEntry | None]:
    if not seller_tax_withheld(seller=shipment.seller):
        return []
    bases = shipment_tax_bases(shipment=shipment, gross_vnd=gross)
    return [
        _add(kind=kind, amount_vnd=amount, base_vnd=base, note=note, **common)
        for kind, amount, base, note in tax_lines(bases=bases, day=day, sign=sign)
    ]


def ledger_credit_delivery(*, shipment: Shipment) -> list[LedgerEntry]:
    """Credit the seller for a delivered shipment (idempotent)."""
    order = shipment.order
    gross = shipment.subtotal_vnd - _refund_share(
        shipment=shipment, order=order, refunded=order.refunded_vnd
    )
    common = {"seller_id": shipment.seller_id, "shipment": shipment, "order": order}
    entries = [
        _add(kind=LedgerKind.SALE, amount_vnd=gross, note=order.number, **common),
        _add(
            kind=LedgerKind.COMMISSION,
            amount_vnd=-_commission(gross),
            note=f"{settings.MARKET_COMMISSION_PERCENT}%",
            **common,
        ),
        *_tax_entries(
            shipment=shipment,
            gross=gross,
            sign=-1,
            day=timezone.localdate(),
            common=common,
        ),
    ]
    return [entry for entry in entries if entry]


def ledger_debit_refund(*, order: Order, amount_vnd: int) -> list[LedgerEntry]:
    """Debit the sellers already credited for this order with their share of
    a refund. The reference is the order's refunded total after this refund
    (it only grows), so the same refund signal twice debits once."""
    order.refresh_from_db(fields=["refunded_vnd", "total_vnd"])
    reference = f"refund-{order.refunded_vnd}"
    entries = []
    sales = dict(
        LedgerEntry.objects.filter(kind=LedgerKind.SALE, order=order).values_list(
            "shipment_id", "created_at"
        )
    )
    credited = Shipment.objects.filter(order=order, pk__in=list(sales)).select_related(
        "seller"
    )
    for shipment in credited.order_by("pk"):
        share = _refund_share(shipment=shipment, order=order, refunded=amount_vnd)
        if share <= 0:
            continue
        common = {
            "seller_id": shipment.seller_id,
            "shipment": shipment,
            "order": order,
            "reference": reference,
        }
        added = [
            _add(
                kind=LedgerKind.REFUND,
                amount_vnd=-(share - _commission(share)),
                note=order.number,
                **common,
            ),
            # Given back at the rate it was withheld at: the sale's day.
            *_tax_entries(
                shipment=shipment,
                gross=share,
                sign=1,
                day=timezone.localdate(sales[shipment.pk]),
                common=common,
            ),
        ]
        entries += [entry for entry in added if entry]
    return entries


def ledger_balance(*, seller: Seller, until: dt.datetime | None = None) -> int:
    entries = LedgerEntry.objects.filter(seller=seller)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    return entries.aggregate(total=Sum("amount_vnd"))["total"] or 0


PAYOUT_COLUMNS = [
    "seller_id",
    "legal_name",
    "tax_code",
    "bank_bin",
    "bank_account_number",
    "bank_account_name",
    "sales_vnd",
    "commission_vnd",
    "refunds_vnd",
    "tax_withheld_vnd",
    "other_vnd",
    "net_vnd",
    "balance_vnd",
]


def payout_rows(*, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Per seller with entries in [start, end): the period's sums by kind and
    the balance at `end` (what to transfer)."""
    period = Q(
        ledger_entries__created_at__gte=start, ledger_entries__created_at__lt=end
    )
    before_end = Q(ledger_entries__created_at__lt=end)

    def by_kind(*kinds):
        return Sum(
            "ledger_entries__amount_vnd",
            filter=period & Q(ledger_entries__kind__in=kinds),
            default=0,
        )

    sellers = (
        Seller.objects.filter(period)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = (
        Seller.objects.filter(pk__in=list(sellers))
        .annotate(
            sales_vnd=by_kind(LedgerKind.SALE),
            commission_vnd=by_kind(LedgerKind.COMMISSION),
            refunds_vnd=by_kind(LedgerKind.REFUND),
            tax_withheld_vnd=by_kind(LedgerKind.VAT, LedgerKind.PIT),
            other_vnd=by_kind(LedgerKind.PAYOUT, LedgerKind.ADJUSTMENT),
            net_vnd=Sum("ledger_entries__amount_vnd", filter=period, default=0),
            balance_vnd=Sum("ledger_entries__amount_vnd", filter=before_end, default=0),
        )
        .order_by("pk")
    )
    return [
        {
            "seller_id": seller.pk,
            "legal_name": seller.legal_name,
            "tax_code": seller.tax_code,
            "bank_bin": seller.bank_bin,
            "bank_account_number": seller.bank_account_number,
            "bank_account_name": seller.bank_account_name,
            "sales_vnd": seller.sales_vnd,
            "commission_vnd": seller.commission_vnd,
            "refunds_vnd": seller.refunds_vnd,
            "tax_withheld_vnd": seller.tax_withheld_vnd,
            "other_vnd": seller.other_vnd,
            "net_vnd": seller.net_vnd,
            "balance_vnd": seller.balance_vnd,
        }
        for seller in rows
    ]


def payout_csv(*, start: dt.datetime, end: dt.datetime) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PAYOUT_COLUMNS)
    writer.writeheader()
    writer.writerows(payout_rows(start=start, end=end))
    return buffer.getvalue()
