"""Bank transfers into the market's account: recording and matching.

A transfer is stored once per bank transaction id, whichever way it arrives
(the bank's signed notification or the operator's statement import). It is
matched to an order by the order code in the transfer content and by amount:
only an exact (or, with earlier part-payments, cumulative) amount pays the
order; anything else is flagged for the operator and never silently accepted.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from market.payments.models import (
    BankTransfer,
    Payment,
    PaymentStatus,
    Provider,
    TransferMatch,
)
from market.payments.services.orders import (
    order_is_payable,
    order_lock,
    order_mark_paid,
    orders_by_number,
)

# Order numbers are "NQ" + 6 characters without 0/O/1/I (checkout.numbers).
ORDER_CODE = re.compile(r"(?=(NQ[2-9A-HJ-NP-Z]{6}))")
# No order comes near a thousand billion dong; a larger figure is a garbled
# notification or statement line, refused before it reaches the database.
MAX_AMOUNT_VND = 10**12


def order_codes_in(text: str) -> list[str]:
    """Order codes in a transfer content, however the bank spaced or
    punctuated it ("MBVCB.123.NQ7K3M9P.CT tu…", "nq 7k3m9p")."""
    squeezed = re.sub(r"[^A-Z0-9]", "", text.upper())
    return list(dict.fromkeys(ORDER_CODE.findall(squeezed)))


def notification_fields(payload: dict) -> dict:
    """The fields of a bank notification, checked; raises KeyError/ValueError."""
    amount = payload["amount"]
    # Whole dong, as a JSON number or a string of digits (some banks quote it).
    if isinstance(amount, str) and amount.strip().isdigit():
        amount = int(amount)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("amount must be a positive whole number of dong")
    if amount > MAX_AMOUNT_VND:
        raise ValueError("amount is larger than any order")
    occurred_at = parse_datetime(str(payload["time"]))
    if occurred_at is None:
        raise ValueError("time must be ISO 8601")
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    transaction_id = str(payload["transaction_id"]).strip()
    if not transaction_id or len(transaction_id) > 64:
        raise ValueError("transaction_id must be 1 to 64 characters")
    return {
        "transaction_id": transaction_id,
        "amount_vnd": amount,
        "reference": str(payload["reference"])[:255],
        "occurred_at": occurred_at,
    }


def bank_transfer_record(
    *,
    transaction_id: str,
    amount_vnd: int,
    reference: str,
    occurred_at: datetime,
    source: str,
) -> tuple[BankTransfer, bool]:
    """Store a transfer once and match it; returns (transfer, created).

    A transaction id seen before returns the stored transfer and changes
    nothing. An exact amount for a waiting order pays it (a VietQR payment
    is recorded); a short amount is flagged underpaid and the order keeps
    waiting; a larger amount pays it but is flagged overpaid so the operator
    returns the difference; no order, several orders, or an order no longer
    waiting is flagged for the operator.
    """
    existing = BankTransfer.objects.filter(transaction_id=transaction_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            transfer = BankTransfer.objects.create(
                transaction_id=transaction_id,
                amount_vnd=amount_vnd,
                reference=reference,
                occurred_at=occurred_at,
                source=source,
                match=TransferMatch.UNMATCHED,
            )
            _match(transfer)
    except IntegrityError:
        return BankTransfer.objects.get(transaction_id=transaction_id), False
    return transfer, True


def _match(transfer: BankTransfer) -> None:
    candidates = orders_by_number(order_codes_in(transfer.reference))
    if len(candidates) != 1:
        transfer.note = (
            _("Nội dung có nhiều mã đơn: %(codes)s.")
            % {"codes": ", ".join(o.number for o in candidates)}
            if candidates
            else _("Không tìm thấy mã đơn trong nội dung chuyển khoản.")
        )
        transfer.save(update_fields=["note"])
        return
    order = order_lock(order_pk=candidates[0].pk)
    transfer.order = order
    if not order_is_payable(order):
        transfer.match = TransferMatch.OVERPAID
        transfer.note = _(
            "Đơn %(number)s không còn chờ thanh toán (%(status)s): cần hoàn lại."
        ) % {
            "number": order.number,
            "status": order.get_status_display(),
        }
        transfer.save(update_fields=["order", "match", "note"])
        return
    _apply_to_order(transfer, order)


def _apply_to_order(transfer: BankTransfer, order) -> None:
    received = (
        BankTransfer.objects.filter(order=order)
        .exclude(pk=transfer.pk)
        .aggregate(total=Sum("amount_vnd"))["total"]
        or 0
    ) + transfer.amount_vnd
    if received < order.total_vnd:
        transfer.match = TransferMatch.UNDERPAID
        transfer.note = _("Thiếu %(short)s đồng so với tổng đơn %(total)s đồng.") % {
            "short": f"{order.total_vnd - received:,}",
            "total": f"{order.total_vnd:,}",
        }
        transfer.save(update_fields=["order", "match", "note"])
        return
    if received == order.total_vnd:
        transfer.match = TransferMatch.MATCHED
    else:
        transfer.match = TransferMatch.OVERPAID
        transfer.note = _("Thừa %(extra)s đồng: cần hoàn lại cho người mua.") % {
            "extra": f"{received - order.total_vnd:,}"
        }
    transfer.save(update_fields=["order", "match", "note"])
    Payment.objects.create(
        order=order,
        provider=Provider.VIETQR,
        reference=transfer.transaction_id,
        amount_vnd=order.total_vnd,
        status=PaymentStatus.SUCCEEDED,
        idempotency_key=f"bank_{transfer.transaction_id}",
    )
    order_mark_paid(
        order=order,
        paid_at=transfer.occurred_at,
        note=_("Chuyển khoản %(id)s") % {"id": transfer.transaction_id},
    )


@transaction.atomic
def bank_transfer_review(*, transfer: BankTransfer, user, note: str) -> BankTransfer:
    """The operator has looked at a flagged transfer and says what was done."""
    transfer = BankTransfer.objects.select_for_update().get(pk=transfer.pk)
    transfer.reviewed_at = timezone.now()
    transfer.reviewed_by = user
    transfer.review_note = note
    transfer.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    return transfer


# --- bank statement import ---------------------------------------------------


class StatementError(ValueError):
    """The file cannot be read as a statement; the message says what to fix."""


@dataclass(frozen=True)
class StatementRow:
    line: int
    transaction_id: str
    amount_vnd: int
    reference: str
    occurred_at: datetime
    known: bool  # already recorded: importing it again changes nothing


COLUMNS = {
    "transaction_id": {"transaction_id", "mã giao dịch", "ma giao dich", "số bút toán"},
    "time": {"time", "thời gian", "thoi gian", "ngày giao dịch", "ngày"},
    "amount": {"amount", "số tiền", "so tien", "số tiền ghi có", "ghi có"},
    "reference": {"reference", "nội dung", "noi dung", "mô tả", "diễn giải"},
}
MAX_STATEMENT_BYTES = 2 * 1024 * 1024
DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")


def _column_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        for column, aliases in COLUMNS.items():
            if key in aliases:
                found[column] = index
    missing = [column for column in COLUMNS if column not in found]
    if missing:
        raise StatementError(
            _(
                "Tệp thiếu cột: %(columns)s. Cần có các cột mã giao dịch, thời gian, "
                "số tiền và nội dung."
            )
            % {"columns": ", ".join(missing)}
        )
    return found


def _parse_amount(text: str) -> int:
    digits = re.sub(r"[.,\s₫đ]|VND", "", text.strip(), flags=re.IGNORECASE)
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(text)
    amount = int(digits)
    if amount > MAX_AMOUNT_VND:
        raise ValueError(text)
    return amount


def _parse_time(text: str) -> datetime:
    text = text.strip()
    value = parse_datetime(text)
    if value is None:
        for fmt in DATE_FORMATS:
            try:
                value = datetime.strptime(text, fmt)  # made aware below
                break
            except ValueError:
                continue
    if value is None:
        raise ValueError(text)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def statement_parse(*, data: bytes) -> tuple[list[StatementRow], list[str]]:
    """Read a bank statement CSV (UTF-8, comma or semicolon separated).

    Returns the credit rows and, separately, a Vietnamese message for each
    line that could not be read. Rows already recorded are marked `known`.
    """
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(
            _("Tệp quá lớn (tối đa 2 MB). Hãy tách sao kê thành nhiều tệp.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StatementError(
            _("Tệp không phải CSV mã hóa UTF-8. Hãy lưu lại dưới dạng CSV UTF-8.")
        ) from exc
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise StatementError(_("Tệp trống."))
    columns = _column_map(header)
    rows, errors = _read_rows(reader, columns)
    known = set(
        BankTransfer.objects.filter(
            transaction_id__in=[row["transaction_id"] for row in rows]
        ).values_list("transaction_id", flat=True)
    )
    return [
        StatementRow(**row, known=row["transaction_id"] in known) for row in rows
    ], errors


def _read_rows(reader, columns: dict[str, int]) -> tuple[list[dict], list[str]]:
    rows: list[dict] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        try:
            transaction_id = record[columns["transaction_id"]].strip()
            amount = _parse_amount(record[columns["amount"]])
            occurred_at = _parse_time(record[columns["time"]])
            reference = record[columns["reference"]].strip()
        except (IndexError, ValueError):
            errors.append(
                _("Dòng %(line)s: không đọc được số tiền, thời gian hoặc mã giao dịch.")
                % {"line": line}
            )
            continue
        if not transaction_id or amount <= 0 or transaction_id in seen:
            continue
        seen.add(transaction_id)
        rows.append(
            {
                "line": line,
                "transaction_id": transaction_id[:64],
                "amount_vnd": amount,
                "reference": reference[:255],
                "occurred_at": occurred_at,
            }
        )
    return rows, errors


def statement_import(*, rows: list[StatementRow]) -> dict[str, int]:
    """Record every row once; returns counts by match, plus "known"."""
    counts: dict[str, int] = {"known": 0}
    for row in rows:
        transfer, created = bank_transfer_record(
            transaction_id=row.transaction_id,
            amount_vnd=row.amount_vnd,
            reference=row.reference,
            occurred_at=row.occurred_at,
            source="statement",
        )
        key = transfer.match if created else "known"
        counts[key] = counts.get(key, 0) + 1
    return counts
