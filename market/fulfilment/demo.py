"""Demo data for `manage.py seed_demo`: post-office partners, staff, parcels.

Idempotent: partners, areas and staff are got-or-created by natural keys;
parcels are only created for paid shipments that have none; the demo's own
orders are keyed by their shopper's e-mail, so a second run changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from market import places
from market.checkout.models import Order, OrderStatus
from market.checkout.services import (
    Customer,
    LineRequest,
    ShippingAddress,
    order_mark_paid,
    order_place,
)
from market.models import Variant

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

# How far the demo moves its own orders' parcels (the first journey, none,
# is what checkout's paid demo orders get: waiting for the office).
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


def _parcels_for_demo_orders() -> None:
    paid = Order.objects.filter(status__in=[OrderStatus.PAID, OrderStatus.PACKING])
    for order in paid.order_by("pk"):
        parcels_assign_for_order(order=order)


def _walk(parcel: Parcel, statuses: list[str]) -> None:
    for status in statuses:
        try:
            parcel_set_status(
                parcel=parcel, status=status, location=parcel.partner.name
            )
        except ParcelTransitionError as error:
            logger.warning("demo parcel %s: %s", parcel.tracking_code, error.message)
            return


def _demo_variant() -> Variant | None:
    """A sellable variant in stock whose seller a demo office serves."""
    served = PartnerArea.objects.filter(partner__code__in=[o.code for o in OFFICES])
    return (
        Variant.objects.filter(
            is_active=True,
            product__live=True,
            product__seller__is_active=True,
            product__seller__province_code__in=served.values("province_code"),
            stock__on_hand__gt=F("stock__allocated") + len(DEMO_JOURNEYS),
        )
        .order_by("pk")
        .first()
    )


def _demo_orders() -> list[Parcel]:
    """One paid order per demo journey (keyed by the shopper's e-mail), so
    the portal shows parcels in several states even when checkout's demo
    paid none in an area a demo office serves."""
    variant = _demo_variant()
    if variant is None:
        return []
    hanoi = places.find_province("Thành phố Hà Nội")
    new = []
    for index in range(1, len(DEMO_JOURNEYS)):
        email = f"giao-hang-mau-{index}@example.vn"
        if Order.objects.filter(email=email).exists():
            continue
        order = order_place(
            cart_lines=[LineRequest(variant_id=variant.pk, quantity=1)],
            customer=Customer(
                name=f"Khách mẫu {index}", phone="0912345678", email=email
            ),
            address=ShippingAddress(
                province_code=hanoi,
                ward_code=places.wards(hanoi)[index][0],
                line=f"{index} phố Hàng Bạc",
            ),
            payment_method="vietqr",
        )
        order = order_mark_paid(order=order, paid_at=timezone.now())
        parcels = parcels_assign_for_order(order=order)
        for parcel in parcels:
            _walk(parcel, DEMO_JOURNEYS[index])
        new += parcels
    return new


def seed_fulfilment() -> None:
    """Two post offices with staff logins; parcels for checkout's paid demo
    orders (left waiting for the office) and a few demo orders of our own
    moved to later states. Nothing when there is no product to order."""
    with transaction.atomic():
        for office in OFFICES:
            _office_ensure(office)
        _parcels_for_demo_orders()
    with transaction.atomic():
        _demo_orders()
