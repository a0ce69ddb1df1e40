"""Signals market sends for apps that may not be imported from market.

The one seam between market and traceability (see DESIGN.md): market sends,
traceability connects thin receivers that call its own services. Every signal
is sent from `transaction.on_commit`, so receivers see committed rows —
except `order_page_notices`, which is a read: sent while a page renders.
"""

from dataclasses import dataclass

from django.dispatch import Signal

# A seller shipment changed status (fulfilment).
# kwargs: shipment (market.checkout.models.Shipment), old_status (str),
#         new_status (str), occurred_at (aware datetime), location (str, may be "")
shipment_status_changed = Signal()

# An order was paid (checkout/payments). kwargs: order
order_paid = Signal()

# An order was refunded in full or in part. kwargs: order, amount_vnd (int)
order_refunded = Signal()


@dataclass(frozen=True)
class OrderNotice:
    """A warning another app puts on the shopper's order page (a recall).

    `title` is the notice's heading; `lines` are plain sentences, the last
    ones saying what to do.
    """

    title: str
    lines: tuple[str, ...]


# The shopper's order page is being shown (a read, sent synchronously).
# kwargs: order. Each receiver returns a list of OrderNotice (may be empty).
order_page_notices = Signal()


def order_notices(*, order) -> list[OrderNotice]:
    """Every notice the connected apps have for `order`, in receiver order."""
    responses = order_page_notices.send(sender=type(order), order=order)
    return [notice for _receiver, notices in responses for notice in notices or ()]


# A product page is being rendered (a read, sent synchronously).
# kwargs: product (market.models.ProductPage). Each receiver returns a list of
# OrderNotice (may be empty): e.g. the product's recalled lots.
product_page_notices = Signal()


def product_notices(*, product) -> list[OrderNotice]:
    """Every notice the connected apps have for `product`'s page."""
    responses = product_page_notices.send(sender=type(product), product=product)
    return [notice for _receiver, notices in responses for notice in notices or ()]
