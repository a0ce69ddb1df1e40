"""Operator admin: tokens shown once, reassign, replay, ledger, payout CSV."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from market.fulfilment.models import (
    LedgerEntry,
    ParcelStatus,
    PartnerToken,
    WebhookDelivery,
)
from market.fulfilment.services.partners import token_hash
from tests.factories import WebhookEndpointFactory, operator_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = operator_create("vanhanh-test")
    client.force_login(user)
    return user


def test_new_token_is_shown_once_and_stored_hashed(client, operator, partner_a):
    response = client.post(
        reverse("fulfilment_partnertoken:add"),
        {"partner": partner_a.pk, "name": "máy chủ"},
    )
    assert response.status_code == 200
    key = response.context["issued"].key
    assert key in response.content.decode()
    token = PartnerToken.objects.get()
    assert token.key_hash == token_hash(key)
    listing = client.get(reverse("fulfilment_partnertoken:index")).content.decode()
    assert key not in listing and token.prefix in listing


def test_operator_reassigns_a_parcel_before_pick_up(
    client, operator, parcel, partner_b
):
    url = reverse("fulfilment_parcel:edit", args=[parcel.pk])
    response = client.post(url, {"partner": partner_b.pk})
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert parcel.partner == partner_b
    assert parcel.events.last().note.startswith("Chuyển từ bc-a")


def test_reassign_after_pick_up_is_refused(client, operator, parcel, partner_b):
    parcel.status = ParcelStatus.PICKED_UP
    parcel.save()
    client.post(
        reverse("fulfilment_parcel:edit", args=[parcel.pk]), {"partner": partner_b.pk}
    )
    parcel.refresh_from_db()
    assert parcel.partner.code == "bc-a"


def test_delivery_log_replay_schedules_the_delivery_again(
    client, operator, partner_a, seller, django_capture_on_commit_callbacks
):
    from tests.factories import order_with_shipments

    WebhookEndpointFactory(partner=partner_a)  # port 9: nothing listens
    order_with_shipments(sellers=[seller])
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_error
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("fulfilment_webhookdelivery:edit", args=[delivery.pk]),
            {"confirm": "on"},
        )
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_payout_csv_lists_each_sellers_period_sums(
    client, operator, parcel, django_capture_on_commit_callbacks
):
    from market.fulfilment.services.parcels import parcel_set_status

    with django_capture_on_commit_callbacks(execute=True):
        for status in [
            "accepted",
            "picked_up",
            "in_transit",
            "out_for_delivery",
            "delivered",
        ]:
            parcel_set_status(parcel=parcel, status=status)
    today = timezone.localdate().isoformat()
    response = client.get(reverse("fulfilment_payouts"), {"start": today, "end": today})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["sales_vnd"] == "300000"
    assert rows[0]["commission_vnd"] == "-15000"
    assert rows[0]["balance_vnd"] == "285000"


@pytest.mark.parametrize("username", ["nv-a", "nongdan-test"])
def test_partner_staff_and_farmers_cannot_open_the_fulfilment_admin(
    client, partner_a, seller_user, username
):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.get(username=username)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("fulfilment_parcel:index")).status_code in (302, 403)
    today = timezone.localdate().isoformat()
    response = client.get(reverse("fulfilment_payouts"), {"start": today, "end": today})
    # Wagtail turns PermissionDenied into a redirect to the dashboard.
    assert response.status_code in (302, 403)
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert client.get(reverse("fulfilment_ledgerentry:index")).status_code in (
        302,
        403,
    )
    assert not LedgerEntry.objects.exists()
