"""Demo data for `manage.py seed_demo`: post-office partners, staff, parcels.

Idempotent: partners, areas and staff are got-or-created by natural keys;
parcels are only created for paid shipments that have none, and only those
new parcels are moved along, so a second run changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from market import places
from market.checkout.models import Order, OrderStatus

from .models import Parcel, ParcelStatus, Partner, PartnerArea
from .services.parcels import ParcelTransitionError, parcel_set_status
from .services.partners import parcels_assign_for_order

logger = logging.getLogger(__name__)

# cms.demo.POSTOFFICE creates this login (market may not import cms).
POSTOFFICE_USERNAME = "buudien"
POSTOFFICE_PASSWORD = "buudien-demo-2026"  # noqa: S105 (published demo login)
SECOND_OFFICE_USERNAME = "buudien-tamdao"


@dataclass(frozen=True)
class Office:
    code: str
    name: str
    province: str
    wards: tuple[str, ...]
    address_line: str
    phone: str
    staff: str


OFFICES = [
    Office(
        code="bd-hoian",
        name="Bưu điện Hội An",
        province="Thành phố Đà Nẵng",
        wards=("Phường Hội An", "Phường Hội An Đông", "Phường Hội An Tây"),
        address_line="6 Trần Hưng Đạo",
        phone="02353861480",
        staff=POSTOFFICE_USERNAME,
    ),
    Office(
        code="bd-tamdao",
        name="Bưu điện Tam Đảo",
        province="Tỉnh Phú Thọ",
        wards=("Xã Tam Đảo",),
        address_line="Thị trấn Tam Đảo cũ",
        phone="02113824222",
        staff=SECOND_OFFICE_USERNAME,
    ),
]

# How far the demo moves new parcels, in turn: one stays waiting for the
# post office (to try the portal), the others show the later states.
DEMO_JOURNEYS = [
    [],
    [ParcelStatus.ACCEPTED],
    [ParcelStatus.ACCEPTED, ParcelStatus.PICKED_UP, ParcelStatus.IN_TRANSIT],
    [
        ParcelStatus.ACCEPTED,
        ParcelStatus.PICKED_UP,
        ParcelStatus.IN_TRANSIT,
        ParcelStatus.OUT_FOR_DELIVERY,
        ParcelStatus.DELIVERED,
    ],
]


def _staff_user(username: str):
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_password(POSTOFFICE_PASSWORD)
        user.save()
    return user


def _office_ensure(office: Office) -> Partner:
    province = places.find_province(office.province)
    if province is None:
        raise ValueError(f"unknown province {office.province!r}")
    partner, _created = Partner.objects.get_or_create(
        code=office.code,
        defaults={
            "name": office.name,
            "province_code": province,
            "ward_code": places.find_ward(province_code=province, name=office.wards[0]),
            "address_line": office.address_line,
            "phone": office.phone,
        },
    )
    PartnerArea.objects.get_or_create(
        partner=partner, province_code=province, ward_code=None
    )
    for ward_name in office.wards:
        ward = places.find_ward(province_code=province, name=ward_name)
        if ward:
            PartnerArea.objects.get_or_create(
                partner=partner, province_code=province, ward_code=ward
            )
    partner.staff.add(_staff_user(office.staff))
    return partner


def _parcels_for_demo_orders() -> list[Parcel]:
    new = []
    paid = Order.objects.filter(status__in=[OrderStatus.PAID, OrderStatus.PACKING])
    for order in paid.order_by("pk"):
        new += parcels_assign_for_order(order=order)
    return new


def _walk(parcel: Parcel, statuses: list[str]) -> None:
    for status in statuses:
        try:
            parcel_set_status(
                parcel=parcel, status=status, location=parcel.partner.name
            )
        except ParcelTransitionError as error:
            logger.warning("demo parcel %s: %s", parcel.tracking_code, error.message)
            return


def seed_fulfilment() -> None:
    """Two post offices with staff logins, and parcels for the paid demo
    orders in several states (none when checkout's demo made no orders)."""
    with transaction.atomic():
        for office in OFFICES:
            _office_ensure(office)
        new = _parcels_for_demo_orders()
    for index, parcel in enumerate(new):
        with transaction.atomic():
            _walk(parcel, DEMO_JOURNEYS[index % len(DEMO_JOURNEYS)])
