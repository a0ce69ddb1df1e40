"""Receivers for market's signals (market-internal; connected in apps.py).
Thin: each calls one service."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from market import signals
from market.checkout.models import OrderStatus

from .models import Parcel
from .services.ledger import ledger_debit_refund
from .services.parcels import parcel_cancel
from .services.partners import parcels_assign_for_order


@receiver(signals.order_paid, dispatch_uid="fulfilment.assign_parcels")
def assign_parcels(sender, order, **kwargs):
    with transaction.atomic():
        parcels_assign_for_order(order=order)


@receiver(signals.order_refunded, dispatch_uid="fulfilment.refund")
def refund_order(sender, order, amount_vnd, **kwargs):
    with transaction.atomic():
        ledger_debit_refund(order=order, amount_vnd=amount_vnd)
        order.refresh_from_db(fields=["status"])
        if order.status == OrderStatus.REFUNDED:
            for parcel in Parcel.objects.filter(shipment__order=order).order_by("pk"):
                parcel_cancel(parcel=parcel, note="Đơn đã hoàn tiền")
