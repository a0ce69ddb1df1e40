"""`{% load parcels %}{% parcel_journey shipment %}`: the post-office
journey of a seller shipment (for the shopper's order page)."""

from __future__ import annotations

from django import template

from market.fulfilment.labels import party_address
from market.fulfilment.models import Parcel

register = template.Library()


@register.inclusion_tag("fulfilment/parcel_journey.html")
def parcel_journey(shipment):
    parcel = (
        Parcel.objects.filter(shipment_id=shipment.pk)
        .select_related("partner")
        .prefetch_related("events")
        .first()
    )
    return {"parcel": parcel}


@register.filter
def address(party) -> str:
    """Street, ward, province of a seller or an order, comma-separated."""
    return party_address(party)
