"""Packing records which lots filled each line; pick-up and delivery then
append shipping/receiving events to those lots (through the signal seam)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from market.fulfilment.models import ParcelStatus
from market.fulfilment.services.parcels import parcel_set_status
from tests.factories import FarmFactory, LotFactory
from traceability.models import LotAllocation, LotEventKind
from traceability.selectors_packing import lot_orders, lot_suggest_for_line
from traceability.services.events import lot_chain_check
from traceability.services.packing import shipment_pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(paid_order):
    return paid_order.lines.get()


@pytest.fixture
def lots(line, seller):
    farm = FarmFactory(seller=seller)
    late = LotFactory(variant=line.variant, farm=farm, best_before=dt.date(2027, 5, 1))
    early = LotFactory(variant=line.variant, farm=farm, best_before=dt.date(2027, 1, 1))
    return early, late


def test_suggestion_is_the_first_expiring_active_lot(line, lots):
    early, late = lots
    assert lot_suggest_for_line(order_line=line) == early
    early.status = "recalled"
    early.save()
    assert lot_suggest_for_line(order_line=line) == late


def test_packing_links_lots_and_marks_the_shipment_packed(
    line, lots, seller_user, paid_order
):
    early, late = lots
    shipment = line.shipment
    shipment_pack(
        shipment=shipment,
        allocations=[(line, early, 1), (line, late, 1)],
        actor=seller_user,
    )
    shipment.refresh_from_db()
    assert shipment.status == "packed"
    assert LotAllocation.objects.filter(order_line=line).count() == 2
    assert list(lot_orders(lot=early)) == [paid_order]


def test_packing_more_than_ordered_or_a_foreign_lot_is_refused(line, lots, seller_user):
    early, _late = lots
    with pytest.raises(ValidationError):
        shipment_pack(
            shipment=line.shipment, allocations=[(line, early, 3)], actor=seller_user
        )
    foreign = LotFactory(variant=line.variant)  # another seller's farm
    with pytest.raises(ValidationError):
        shipment_pack(
            shipment=line.shipment, allocations=[(line, foreign, 1)], actor=seller_user
        )
    line.shipment.refresh_from_db()
    assert line.shipment.status == "to_pack"
    assert not LotAllocation.objects.exists()


def test_pick_up_and_delivery_append_shipping_and_receiving_lot_events(
    line, lots, seller_user, parcel, django_capture_on_commit_callbacks
):
    early, _late = lots
    shipment_pack(
        shipment=line.shipment, allocations=[(line, early, 2)], actor=seller_user
    )
    with django_capture_on_commit_callbacks(execute=True):
        for status in (
            ParcelStatus.ACCEPTED,
            ParcelStatus.PICKED_UP,
            ParcelStatus.IN_TRANSIT,
            ParcelStatus.OUT_FOR_DELIVERY,
            ParcelStatus.DELIVERED,
        ):
            parcel_set_status(parcel=parcel, status=status, location="Hội An")
    events = list(early.events.order_by("seq"))
    assert [e.kind for e in events] == [LotEventKind.SHIPPING, LotEventKind.RECEIVING]
    assert events[0].biz_step == "shipping" and events[0].disposition == "in_transit"
    # The read point is the registered post office; what was typed is kept aside.
    office = parcel.partner
    assert events[1].read_point == f"http://testserver/dia-diem/buu-cuc/{office.code}"
    assert events[0].data == {
        "shipment": line.shipment_id,
        "quantity": 2,
        "place_name": office.name,
        "place_text": "Hội An",
    }
    assert lot_chain_check(lot=early) is None


def test_a_typed_place_keeps_every_lot_event_kind_schema_valid_epcis(
    line, lots, seller_user, parcel, django_capture_on_commit_callbacks
):
    from tests.traceability.test_epcis import assert_valid_epcis, epcis_validator
    from traceability.selectors import lot_epcis_document
    from traceability.services.events import lot_event_append
    from traceability.services.recalls import lot_recall

    validator = epcis_validator()
    early, _late = lots
    shipment_pack(
        shipment=line.shipment, allocations=[(line, early, 2)], actor=seller_user
    )
    with django_capture_on_commit_callbacks(execute=True):
        for status in (
            ParcelStatus.ACCEPTED,
            ParcelStatus.PICKED_UP,
            ParcelStatus.IN_TRANSIT,
            ParcelStatus.OUT_FOR_DELIVERY,
            ParcelStatus.DELIVERED,
        ):
            parcel_set_status(
                parcel=parcel, status=status, location="Bưu cục Hội An, Quảng Nam"
            )
    for kind, step in (("commissioning", "commissioning"), ("packing", "packing")):
        lot_event_append(
            lot=early,
            kind=kind,
            occurred_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
            biz_step=step,
            read_point="Vườn nhà ông Ba",  # typed text stored by older code
        )
    lot_event_append(
        lot=early,
        kind="observation",
        occurred_at=dt.datetime(2026, 10, 2, tzinfo=dt.UTC),
        biz_step="inspecting",
        read_point="geo:15.88,108.33",
    )
    with django_capture_on_commit_callbacks(execute=True):
        lot_recall(lot=early, reason="Nhãn in sai hạn sử dụng", actor=seller_user)

    document = lot_epcis_document(lot=early)

    assert_valid_epcis(validator, document)
    events = document["epcisBody"]["eventList"]
    kinds = {event["bizStep"] for event in events}
    assert kinds == {
        "shipping",
        "receiving",
        "commissioning",
        "packing",
        "inspecting",
        "holding",
    }
    shipping = events[0]
    assert shipping["readPoint"]["id"].endswith(f"/buu-cuc/{parcel.partner.code}")
    assert shipping["nq:placeText"] == "Bưu cục Hội An, Quảng Nam"
    typed = [e for e in events if e.get("nq:placeText") == "Vườn nhà ông Ba"]
    assert len(typed) == 2 and all("readPoint" not in e for e in typed)


def admin_user(user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    return user


def test_farmer_packs_own_shipment_in_the_admin_with_the_suggested_lot(
    client, line, lots, seller_user
):
    from django.urls import reverse

    early, _late = lots
    client.force_login(admin_user(seller_user))
    index = client.get(reverse("traceability_packing"))
    assert line.order.number in index.content.decode()
    url = reverse("traceability_pack", args=[line.shipment_id])
    form = client.get(url)
    assert form.context["form"].fields[f"lot_{line.pk}"].initial == early.pk
    response = client.post(url, {f"lot_{line.pk}": early.pk, f"qty_{line.pk}": 2})
    assert response.status_code == 302
    line.shipment.refresh_from_db()
    assert line.shipment.status == "packed"
    assert LotAllocation.objects.get().lot == early


def test_when_one_lot_is_short_the_farmer_packs_the_rest_from_a_second_lot(
    client, line, lots, seller_user
):
    from django.urls import reverse

    early, late = lots
    client.force_login(admin_user(seller_user))
    url = reverse("traceability_pack", args=[line.shipment_id])
    assert "Lô thứ hai" in client.get(url).content.decode()

    # A second lot chosen without saying how many: asked for, nothing saved.
    missing = client.post(
        url,
        {f"lot_{line.pk}": early.pk, f"qty_{line.pk}": 1, f"lot2_{line.pk}": late.pk},
    )
    assert "Ghi số lượng lấy từ lô thứ hai." in missing.content.decode()
    assert not LotAllocation.objects.exists()

    response = client.post(
        url,
        {
            f"lot_{line.pk}": early.pk,
            f"qty_{line.pk}": 1,
            f"lot2_{line.pk}": late.pk,
            f"qty2_{line.pk}": 1,
        },
    )
    assert response.status_code == 302
    packed = dict(LotAllocation.objects.values_list("lot__code", "quantity"))
    assert packed == {early.code: 1, late.code: 1}


def test_farmer_cannot_see_or_pack_another_sellers_shipment(client, line, lots):
    from django.urls import reverse

    from tests.factories import UserFactory

    other = admin_user(UserFactory(username="nongdan-khac"))
    FarmFactory(seller__users=[other])
    client.force_login(other)
    assert (
        line.order.number
        not in client.get(reverse("traceability_packing")).content.decode()
    )
    url = reverse("traceability_pack", args=[line.shipment_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
