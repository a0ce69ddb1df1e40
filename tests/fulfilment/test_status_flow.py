import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from market import signals
from market.fulfilment.models import LedgerEntry, ParcelStatus
from market.fulfilment.services.ledger import ledger_balance
from market.fulfilment.services.parcels import ParcelTransitionError, parcel_set_status

pytestmark = pytest.mark.django_db

FORWARD = [
    ParcelStatus.ACCEPTED,
    ParcelStatus.PICKED_UP,
    ParcelStatus.IN_TRANSIT,
    ParcelStatus.OUT_FOR_DELIVERY,
    ParcelStatus.DELIVERED,
]


def walk(parcel, statuses, capture):
    with capture(execute=True):
        for status in statuses:
            parcel_set_status(parcel=parcel, status=status)
    parcel.refresh_from_db()


def test_paid_order_gets_a_parcel_assigned_to_the_partner(parcel, partner_a):
    assert parcel.partner == partner_a
    assert parcel.status == ParcelStatus.ASSIGNED
    assert parcel.tracking_code.startswith("NQ")
    assert parcel.weight_g == parcel.shipment.weight_g


def test_full_journey_updates_shipment_order_ledger_and_mails_the_shopper(
    parcel, django_capture_on_commit_callbacks
):
    seen = []

    def listener(sender, shipment, old_status, new_status, **kwargs):
        seen.append((old_status, new_status, kwargs["occurred_at"] is not None))

    signals.shipment_status_changed.connect(listener)
    try:
        walk(parcel, FORWARD, django_capture_on_commit_callbacks)
    finally:
        signals.shipment_status_changed.disconnect(listener)

    shipment = parcel.shipment
    shipment.refresh_from_db()
    shipment.order.refresh_from_db()
    assert parcel.status == ParcelStatus.DELIVERED
    assert shipment.status == "delivered"
    assert shipment.order.status == "delivered"
    assert seen == [("to_pack", "shipped", True), ("shipped", "delivered", True)]
    assert [e.status for e in parcel.events.all()] == ["assigned", *FORWARD]
    subjects = [m.subject for m in mail.outbox]
    assert any("Đã giao" in s for s in subjects)
    # One mail for the pick-up (checkout's "sent"), not a second from here.
    assert sum("đã gửi đi" in s for s in subjects) == 1
    assert not any("Đã lấy hàng" in s for s in subjects)
    # 300 000 ₫ of goods, 5 % commission.
    assert ledger_balance(seller=shipment.seller) == 285_000


def test_skipping_a_step_is_refused_and_changes_nothing(parcel):
    with pytest.raises(ParcelTransitionError) as caught:
        parcel_set_status(parcel=parcel, status=ParcelStatus.DELIVERED)
    assert caught.value.code == "transition_not_allowed"
    assert "Chờ bưu cục nhận" in caught.value.message
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.ASSIGNED
    assert parcel.events.count() == 1


def test_failed_attempt_then_redelivery_or_return(
    parcel, django_capture_on_commit_callbacks
):
    walk(
        parcel,
        [*FORWARD[:4], ParcelStatus.FAILED_ATTEMPT, ParcelStatus.OUT_FOR_DELIVERY],
        django_capture_on_commit_callbacks,
    )
    assert parcel.status == ParcelStatus.OUT_FOR_DELIVERY
    walk(
        parcel,
        [ParcelStatus.FAILED_ATTEMPT, ParcelStatus.RETURNED],
        django_capture_on_commit_callbacks,
    )
    parcel.shipment.refresh_from_db()
    assert parcel.shipment.status == "returned"
    assert not LedgerEntry.objects.exists()
    with pytest.raises(ParcelTransitionError):
        parcel_set_status(parcel=parcel, status=ParcelStatus.DELIVERED)


def test_event_dated_before_the_last_one_is_out_of_order(parcel):
    now = timezone.now()
    parcel_set_status(parcel=parcel, status=ParcelStatus.ACCEPTED, occurred_at=now)
    with pytest.raises(ParcelTransitionError) as caught:
        parcel_set_status(
            parcel=parcel,
            status=ParcelStatus.PICKED_UP,
            occurred_at=now - dt.timedelta(hours=1),
        )
    assert caught.value.code == "out_of_order"


def test_same_client_event_twice_is_one_change(parcel):
    first = parcel_set_status(
        parcel=parcel, status=ParcelStatus.ACCEPTED, client_event_id="evt-1"
    )
    again = parcel_set_status(
        parcel=parcel, status=ParcelStatus.ACCEPTED, client_event_id="evt-1"
    )
    assert first.created and not again.created
    assert again.event.pk == first.event.pk
    assert parcel.events.filter(status=ParcelStatus.ACCEPTED).count() == 1


def test_journey_tag_shows_the_parcel_events_for_the_order_page(
    parcel, django_capture_on_commit_callbacks
):
    from django.template import Context, Template

    walk(parcel, FORWARD[:2], django_capture_on_commit_callbacks)
    html = Template("{% load parcels %}{% parcel_journey shipment %}").render(
        Context({"shipment": parcel.shipment})
    )
    assert parcel.tracking_code in html
    assert "Đã lấy hàng" in html and "Bưu điện A" in html


def test_shopper_mail_links_to_the_order_page(
    parcel, django_capture_on_commit_callbacks
):
    walk(parcel, FORWARD, django_capture_on_commit_callbacks)
    mine = [m for m in mail.outbox if "Đã giao" in m.subject]
    assert mine and f"?t={parcel.shipment.order.access_token}" in mine[0].body


def test_the_shoppers_order_page_shows_the_parcel_journey(
    client, parcel, django_capture_on_commit_callbacks
):
    from market.checkout.selectors import order_url

    walk(parcel, FORWARD[:2], django_capture_on_commit_callbacks)

    html = client.get(order_url(parcel.shipment.order)).content.decode()
    assert parcel.tracking_code in html
    assert parcel.partner.name in html
    assert str(ParcelStatus.PICKED_UP.label) in html
