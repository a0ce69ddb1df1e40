"""Ticket use cases: check-in at the gate, refund of one ticket.

Places are held, sold and freed by checkout's services
(`market.checkout.services.slots`), in the same transactions as the order;
what is here acts on a ticket that is already sold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from market.access import user_seller_ids
from market.checkout.services.slots import tickets_release
from market.payments.services.refunds import RefundNotAllowed, order_refund
from market.services.catalogue import product_refresh_summaries

from .codes import ticket_code_parse, ticket_signature_holds
from .models import Ticket, TicketStatus, TimeSlot


class CheckInOutcome:
    ADMITTED = "admitted"
    ALREADY_USED = "already_used"
    FORGED = "forged"
    NOT_YOURS = "not_yours"
    NOT_VALID = "not_valid"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class CheckIn:
    """What the gate shows: `admitted` lets the visitor in; `message` is a
    Vietnamese sentence saying what happened and what to do."""

    outcome: str
    message: str
    ticket: Ticket | None = None

    @property
    def admitted(self) -> bool:
        return self.outcome == CheckInOutcome.ADMITTED


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%H:%M} {_('ngày')} {date_format(local, 'd/m/Y')}"


def _who(user) -> str:
    if user is None:
        return _("(tài khoản đã xóa)")
    return user.get_full_name() or user.get_username()


def ticket_check_in(*, code: str, user) -> CheckIn:
    """Let one visitor in on this code, at most once.

    The code must be a ticket link or short code whose signature one of the
    QR keys made (else `forged`, nothing read from the ticket is shown); the
    ticket must belong to one of the user's sellers (the operator: any), be
    paid and unused, and its slot must not have ended. After it returns
    admitted, the ticket is `used` with the time and the user; a second scan
    gets `already_used`, saying when and by whom. The ticket row is locked,
    so two gates scanning the same code at once admit it once.
    """
    parsed = ticket_code_parse(code)
    if parsed is None:
        return CheckIn(
            CheckInOutcome.UNREADABLE,
            _(
                "Không đọc được mã vé. Hãy quét lại mã QR, hoặc gõ mã in dưới mã QR,"
                " dạng V123/AbCdEfGhIjKl."
            ),
        )
    if not ticket_signature_holds(code=parsed):
        return CheckIn(
            CheckInOutcome.FORGED,
            _(
                "Vé không hợp lệ: mã này không do chợ Nguồn Quê cấp hoặc đã bị sửa."
                " Đừng cho vào; hãy đề nghị khách mở lại vé trong e-mail hoặc trang"
                " đơn hàng."
            ),
        )
    allowed = user_seller_ids(user)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("slot", "slot__variant", "slot__variant__product")
            .filter(pk=parsed.ticket_id)
            .first()
        )
        if ticket is None:
            return CheckIn(CheckInOutcome.NOT_VALID, _("Vé này không còn tồn tại."))
        if allowed is not None and ticket.seller_id not in allowed:
            return CheckIn(
                CheckInOutcome.NOT_YOURS,
                _(
                    "Vé này là vé của cơ sở khác, không soát ở đây được. Hãy chỉ"
                    " khách đến đúng nơi ghi trên vé."
                ),
            )
        return _admit(ticket, user)


def _admit(ticket: Ticket, user) -> CheckIn:
    if ticket.status == TicketStatus.USED:
        return CheckIn(
            CheckInOutcome.ALREADY_USED,
            _("Vé đã dùng lúc %(when)s, do %(who)s soát. Đừng cho vào lần nữa.")
            % {"when": _when(ticket.checked_in_at), "who": _who(ticket.checked_in_by)},
            ticket,
        )
    if ticket.status != TicketStatus.VALID:
        reasons = {
            TicketStatus.HELD: _("Vé chưa được thanh toán."),
            TicketStatus.CANCELLED: _("Vé đã bị hủy."),
            TicketStatus.REFUNDED: _("Vé đã được hoàn tiền."),
        }
        return CheckIn(
            CheckInOutcome.NOT_VALID,
            _("%(reason)s Không cho vào bằng vé này.")
            % {"reason": reasons.get(ticket.status, "")},
            ticket,
        )
    if ticket.slot.ends_at <= timezone.now():
        return CheckIn(
            CheckInOutcome.NOT_VALID,
            _(
                "Vé này cho khung giờ %(when)s, đã kết thúc. Không cho vào bằng vé"
                " này; khách cần đặt vé khung giờ khác."
            )
            % {"when": _when(ticket.slot.starts_at)},
            ticket,
        )
    ticket.status = TicketStatus.USED
    ticket.checked_in_at = timezone.now()
    ticket.checked_in_by = user if getattr(user, "pk", None) else None
    ticket.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    slot = ticket.slot
    return CheckIn(
        CheckInOutcome.ADMITTED,
        _("Mời vào. Vé V%(number)s: %(product)s, %(when)s.")
        % {
            "number": ticket.pk,
            "product": slot.variant.product.title,
            "when": _when(slot.starts_at),
        },
        ticket,
    )


class TicketRefundRefused(Exception):
    """The ticket cannot be refunded; the message says why (Vietnamese)."""


def ticket_refund(*, ticket: Ticket, actor=None, reason: str = "", client=None):
    """Refund one unused ticket before its slot starts, and free its place.

    The money goes back through the payments refund flow (`order_refund`,
    keyed on the ticket so a retry never refunds twice); only once the refund
    succeeded is the place given back (`tickets_release`). Refused
    (TicketRefundRefused) once the slot has started, for a used, unpaid or
    already refunded ticket. Returns the payments Refund.
    """
    ticket = Ticket.objects.select_related("slot", "line", "order").get(pk=ticket.pk)
    if ticket.slot.starts_at <= timezone.now():
        raise TicketRefundRefused(
            _("Khung giờ của vé đã bắt đầu lúc %(when)s: không hoàn tiền vé được nữa.")
            % {"when": _when(ticket.slot.starts_at)}
        )
    if ticket.status != TicketStatus.VALID:
        raise TicketRefundRefused(
            _("Chỉ hoàn được vé đã thanh toán và chưa dùng (vé này: %(status)s).")
            % {"status": ticket.get_status_display()}
        )
    try:
        refund, _created = order_refund(
            order=ticket.order,
            amount_vnd=ticket.line.unit_price_vnd,
            reason=reason or _("Hoàn vé V%(number)s") % {"number": ticket.pk},
            actor=actor,
            request_key=f"ticket-{ticket.pk}",
            client=client,
        )
    except RefundNotAllowed as error:
        raise TicketRefundRefused(str(error)) from error
    with transaction.atomic():
        tickets_release(ticket_ids=[ticket.pk], to_status=TicketStatus.REFUNDED)
    return refund


def timeslot_save(*, slot: TimeSlot) -> TimeSlot:
    """Save a slot the seller edited and, after commit, refresh its product's
    listing summary (a tour with free places shows as on sale)."""
    with transaction.atomic():
        slot.save()
        product_id = slot.variant.product_id
        transaction.on_commit(
            lambda: product_refresh_summaries(product_ids=[product_id])
        )
    return slot
