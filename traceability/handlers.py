"""Receivers for the signals market sends (see market/signals.py).

Thin: each one calls a traceability service."""

from __future__ import annotations

from django.dispatch import receiver

from market import signals
from traceability.services.packing import lot_events_for_shipment
from traceability.services.recalls import (
    order_recall_notices,
    product_recall_notices,
)


@receiver(signals.shipment_status_changed, dispatch_uid="traceability.lot_events")
def record_lot_events(
    sender, shipment, old_status, new_status, occurred_at, location="", **kwargs
):
    """Picked up → `shipping`, delivered → `receiving` on the packed lots."""
    lot_events_for_shipment(
        shipment=shipment,
        new_status=new_status,
        occurred_at=occurred_at,
        location=location,
    )


@receiver(signals.order_page_notices, dispatch_uid="traceability.recall_notices")
def recall_notices(sender, order, **kwargs):
    """A red notice on the order page for each recalled lot packed into it."""
    return order_recall_notices(order=order)


@receiver(signals.product_page_notices, dispatch_uid="traceability.product_recalls")
def product_recall_page_notices(sender, product, **kwargs):
    """A red notice on the product page for each of its recalled lots."""
    return product_recall_notices(product=product)
