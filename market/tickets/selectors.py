"""Reads of tickets: an order's tickets with their signed links, a staff
user's tickets. (The slots a product page offers: `offers.py`.)"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from market.access import user_seller_ids

from .codes import ticket_path, ticket_short_code, ticket_url
from .models import Ticket


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    path: str
    url: str
    short_code: str


def _view(ticket: Ticket) -> TicketView:
    return TicketView(
        ticket=ticket,
        path=ticket_path(ticket_id=ticket.pk),
        url=ticket_url(ticket_id=ticket.pk),
        short_code=ticket_short_code(ticket_id=ticket.pk),
    )


def order_tickets(*, order) -> list[TicketView]:
    """The order's tickets with their signed links (empty before payment:
    a held ticket is not an e-ticket yet)."""
    tickets = (
        Ticket.objects.filter(order=order)
        .exclude(status="held")
        .select_related("slot", "slot__variant", "slot__variant__product")
        .order_by("pk")
    )
    return [_view(ticket) for ticket in tickets]


def ticket_view(*, ticket: Ticket) -> TicketView:
    return _view(ticket)


def ticket_for_page(*, ticket_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related(
            "order", "slot", "slot__variant", "slot__variant__product", "seller"
        )
        .filter(pk=ticket_id)
        .exclude(status="held")
        .first()
    )


def tickets_for_user(*, user) -> QuerySet[Ticket]:
    """Tickets this staff user may see: their sellers' (the operator: all)."""
    ids = user_seller_ids(user)
    tickets = Ticket.objects.all()
    return tickets if ids is None else tickets.filter(seller_id__in=ids)
