"""Signals market sends for apps that may not be imported from market.

The one seam between market and traceability (see DESIGN.md): market sends,
traceability connects thin receivers that call its own services. Every signal
is sent from `transaction.on_commit`, so receivers see committed rows.
"""

from django.dispatch import Signal

# A seller shipment changed status (fulfilment).
# kwargs: shipment (market.checkout.models.Shipment), old_status (str),
#         new_status (str), occurred_at (aware datetime), location (str, may be "")
shipment_status_changed = Signal()

# An order was paid (checkout/payments). kwargs: order
order_paid = Signal()

# An order was refunded in full or in part. kwargs: order, amount_vnd (int)
order_refunded = Signal()
