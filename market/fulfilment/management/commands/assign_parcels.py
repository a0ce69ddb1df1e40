"""`manage.py assign_parcels`: give a parcel to every paid shipment that has
none (after the operator adds a service area for a seller no office served).
Safe to run again: shipments that have a parcel are left alone."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from market.checkout.models import Order, OrderStatus, ShipmentStatus
from market.fulfilment.services.partners import parcels_assign_for_order


class Command(BaseCommand):
    help = "Assign a post-office parcel to every paid shipment without one."

    def handle(self, *args, **options):
        orders = Order.objects.filter(
            status__in=[OrderStatus.PAID, OrderStatus.PACKING],
            shipments__status__in=[ShipmentStatus.TO_PACK, ShipmentStatus.PACKED],
            shipments__parcel__isnull=True,
        ).distinct()
        created = 0
        for order in orders.order_by("pk"):
            with transaction.atomic():
                created += len(parcels_assign_for_order(order=order))
        self.stdout.write(f"{created} parcels assigned")
