"""Demo seeding and the partner_token command."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from market.fulfilment.demo import seed_fulfilment
from market.fulfilment.models import (
    Parcel,
    ParcelStatus,
    Partner,
    PartnerArea,
    PartnerToken,
)
from market.fulfilment.services.ledger import ledger_balance
from market.fulfilment.services.partners import partner_token_authenticate
from tests.factories import SellerFactory, order_with_shipments

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Partner.objects.values_list("code", "province_code").order_by("code")),
        PartnerArea.objects.count(),
        list(Parcel.objects.values_list("tracking_code", "status").order_by("pk")),
    )


def test_seed_makes_two_offices_with_staff_and_is_idempotent():
    seed_fulfilment()
    first = snapshot()
    seed_fulfilment()
    assert snapshot() == first
    codes = [code for code, _p in first[0]]
    assert codes == ["bd-hoian", "bd-tamdao"]
    hoian = Partner.objects.get(code="bd-hoian")
    assert hoian.province_name == "Thành phố Đà Nẵng"
    staff = get_user_model().objects.get(username="buudien")
    assert staff.check_password("buudien-demo-2026")
    assert list(staff.delivery_partners.all()) == [hoian]


def test_seed_gives_parcels_in_several_states_and_stays_idempotent():
    seller = SellerFactory(province_code=48, ward_code=None)  # Đà Nẵng
    # Paid before any office existed (as checkout's demo does): no parcel yet.
    order_with_shipments(sellers=[seller])
    assert not Parcel.objects.exists()
    seed_fulfilment()
    statuses = sorted(Parcel.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            ParcelStatus.ASSIGNED,
            ParcelStatus.ACCEPTED,
            ParcelStatus.IN_TRANSIT,
            ParcelStatus.DELIVERED,
        ]
    )
    assert {p.partner.code for p in Parcel.objects.all()} == {"bd-hoian"}
    assert ledger_balance(seller=seller) > 0
    again = snapshot()
    seed_fulfilment()
    assert snapshot() == again


def test_partner_token_lists_codes_and_prints_a_working_key():
    seed_fulfilment()
    out = io.StringIO()
    call_command("partner_token", "--list", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("bd-hoian\tBưu điện Hội An")
    out = io.StringIO()
    call_command("partner_token", "bd-tamdao", stdout=out)
    key = out.getvalue().strip()
    assert partner_token_authenticate(key=key).partner.code == "bd-tamdao"
    assert PartnerToken.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("partner_token", "khong-co")


def test_assign_parcels_picks_up_sellers_once_an_office_serves_them(partner_a):
    from tests.factories import PartnerAreaFactory

    far = SellerFactory(province_code=48, ward_code=None)  # Đà Nẵng
    order = order_with_shipments(sellers=[far])
    assert not Parcel.objects.exists()
    PartnerAreaFactory(partner=partner_a, province_code=48)
    out = io.StringIO()
    call_command("assign_parcels", stdout=out)
    call_command("assign_parcels", stdout=io.StringIO())
    assert out.getvalue().startswith("1 parcels")
    assert order.shipments.get().parcel.partner == partner_a
