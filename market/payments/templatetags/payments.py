"""`{% load payments %}{% order_payment order %}`: the payment block of an order.

For the order page: shows the card form, the VietQR code, or "paid",
whichever fits. Makes no gateway call.
"""

from django import template

from market.payments.selectors import payment_context

register = template.Library()


@register.inclusion_tag("payments/order_payment.html")
def order_payment(order):
    return payment_context(order=order)
