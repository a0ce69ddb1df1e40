"""`{% load parcels %}{% parcel_journey shipment %}`: the post-office
journey of a seller shipment (for the shopper's order page)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from market.checkout.models import ShipmentStatus
from market.fulfilment.labels import party_address
from market.fulfilment.models import Parcel
from market.fulfilment.selectors import shipment_is_unserved

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


@register.simple_tag
def shipment_status(shipment) -> str:
    """The shipment's status for the shopper; while no post office serves
    the seller's area, that the shop is arranging delivery (not "Cần đóng
    gói" forever)."""
    if shipment.status in {
        ShipmentStatus.TO_PACK,
        ShipmentStatus.PACKED,
    } and shipment_is_unserved(shipment_id=shipment.pk):
        return _(
            "Cửa hàng đang sắp xếp việc giao hàng. Khi kiện được gửi đi, "
            "trang này sẽ có mã vận đơn."
        )
    return shipment.get_status_display()


@register.filter
def address(party) -> str:
    """Street, ward, province of a seller or an order, comma-separated."""
    return party_address(party)
