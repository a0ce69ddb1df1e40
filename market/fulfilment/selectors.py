"""Fulfilment reads. Every partner-facing read starts from the partner, so a
partner can never see another partner's parcels."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from market.access import partners_of_user
from market.checkout.models import ShipmentStatus

from .models import Parcel, Partner, UnservedShipment


def parcels_visible_to_user(*, user) -> QuerySet[Parcel]:
    """Parcels of the partners the user works for (nothing for anyone else,
    superusers included: the operator uses the admin)."""
    return _with_relations(
        Parcel.objects.filter(partner__in=partners_of_user(user=user))
    )


def parcels_of_partner(*, partner: Partner) -> QuerySet[Parcel]:
    return _with_relations(Parcel.objects.filter(partner=partner))


def _with_relations(parcels: QuerySet[Parcel]) -> QuerySet[Parcel]:
    return parcels.select_related(
        "partner", "shipment__order", "shipment__seller"
    ).order_by("-created_at", "-pk")


def parcels_filter(
    parcels: QuerySet[Parcel],
    *,
    status: str = "",
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> QuerySet[Parcel]:
    if status:
        parcels = parcels.filter(status=status)
    if created_from:
        parcels = parcels.filter(created_at__date__gte=created_from)
    if created_to:
        parcels = parcels.filter(created_at__date__lte=created_to)
    return parcels


# Shipment statuses that still wait for a post office to take them.
_WAITING = [ShipmentStatus.TO_PACK, ShipmentStatus.PACKED]


def unserved_shipments() -> QuerySet[UnservedShipment]:
    """Paid shipments that no post office serves and that still have no
    parcel (oldest first): the operator's to-do list."""
    return (
        UnservedShipment.objects.filter(
            shipment__parcel__isnull=True, shipment__status__in=_WAITING
        )
        .select_related("shipment__order", "shipment__seller")
        .order_by("found_at", "pk")
    )


def shipment_is_unserved(*, shipment_id: int) -> bool:
    """True while the shipment waits for a post office no one runs yet."""
    return unserved_shipments().filter(shipment_id=shipment_id).exists()
