"""`{% order_tickets order %}`: the e-ticket links of an order, for the
order page and the e-mails (checkout's templates load it; a read only)."""

from django import template

from market.tickets.selectors import order_tickets as order_tickets_select

register = template.Library()


@register.inclusion_tag("tickets/_order_tickets.html")
def order_tickets(order, absolute=False):
    return {"tickets": order_tickets_select(order=order), "absolute": absolute}


@register.simple_tag
def order_ticket_list(order):
    return order_tickets_select(order=order)
