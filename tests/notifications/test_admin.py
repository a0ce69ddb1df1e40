"""Admin: a farmer chooses how to be told (phone checked, stored as 84…);
the delivery log shows the operator every row and a farmer their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from market.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Kind,
    NotificationPreference,
)
from market.notifications.services import preference_set
from tests.factories import (
    UserFactory,
    market_ensure,
    operator_create,
    seller_with_login,
)

pytestmark = pytest.mark.django_db
DENIED = {302, 403, 404}


@pytest.fixture
def two_farmers(home_page):
    market_ensure()
    return (
        seller_with_login(legal_name="Hộ bà Năm"),
        seller_with_login(legal_name="HTX Bưởi Tân Triều"),
    )


def log_row(seller, recipient, text="Nguon Que: don moi", kind=Kind.ORDER_TO_PACK):
    return Delivery.objects.create(
        key=f"k-{recipient}-{kind}",
        seller=seller,
        recipient=recipient,
        channel=Channel.SMS,
        kind=kind,
        text=text,
        status=DeliveryStatus.SENT,
        attempts=1,
    )


def test_a_farmer_chooses_zalo_with_a_phone_written_their_way(client, two_farmers):
    (seller, user, _store), _other = two_farmers
    client.force_login(user)
    add = reverse("notifications_preference:add")
    form = client.get(add).content.decode()
    assert 'name="phone"' in form and 'inputmode="tel"' in form
    assert "Hộ bà Năm" not in form or 'type="hidden"' in form

    response = client.post(
        add, {"seller": seller.pk, "channel": "zalo", "phone": "0905 123 456"}
    )

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(seller=seller)
    assert (preference.channel, preference.phone) == ("zalo", "84905123456")
    edit = client.get(reverse("notifications_preference:edit", args=[preference.pk]))
    assert 'value="0905 123 456"' in edit.content.decode()


@pytest.mark.parametrize("phone", ["0123 456 789", "0235 3861 234", "12345"])
def test_a_wrong_phone_is_refused_with_what_to_write(client, two_farmers, phone):
    (seller, user, _store), _other = two_farmers
    client.force_login(user)

    response = client.post(
        reverse("notifications_preference:add"),
        {"seller": seller.pk, "channel": "sms", "phone": phone},
    )

    assert response.status_code == 200
    assert "ví dụ 0905 123 456" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_sms_without_a_phone_says_a_phone_is_needed(client, two_farmers):
    (seller, user, _store), _other = two_farmers
    client.force_login(user)
    response = client.post(
        reverse("notifications_preference:add"),
        {"seller": seller.pk, "channel": "sms", "phone": ""},
    )
    assert "cần số điện thoại di động" in response.content.decode()


def test_a_farmer_cannot_choose_for_another_store(client, two_farmers):
    (_seller, user, _store), (other, _other_user, _s) = two_farmers
    client.force_login(user)
    client.post(
        reverse("notifications_preference:add"),
        {"seller": other.pk, "channel": "email", "phone": ""},
    )
    assert not NotificationPreference.objects.filter(seller=other).exists()

    theirs = preference_set(seller=other, channel=Channel.SMS, phone="0905123456")
    for name in ("edit", "delete"):
        url = reverse(f"notifications_preference:{name}", args=[theirs.pk])
        assert client.get(url).status_code in DENIED
    listing = client.get(reverse("notifications_preference:index")).content.decode()
    assert "HTX Bưởi Tân Triều" not in listing


def test_the_log_shows_a_farmer_only_their_own_rows(client, two_farmers):
    (seller, user, _store), (other, _u, _s) = two_farmers
    mine = log_row(seller, "84905111111")
    theirs = log_row(other, "84905222222")
    shopper = log_row(None, "84912000111", kind=Kind.RECALL)
    client.force_login(user)

    listing = client.get(reverse("notifications_delivery:index")).content.decode()

    assert "84905111111" in listing
    assert "84905222222" not in listing and "84912000111" not in listing
    inspect = "notifications_delivery:inspect"
    assert client.get(reverse(inspect, args=[mine.pk])).status_code == 200
    for row in (theirs, shopper):
        assert client.get(reverse(inspect, args=[row.pk])).status_code == 404
    assert (
        client.get(reverse("notifications_delivery:edit", args=[mine.pk])).status_code
        in DENIED
    )


def test_the_operator_sees_every_row_including_shoppers(client, two_farmers):
    (seller, _user, _store), (other, _u, _s) = two_farmers
    log_row(seller, "84905111111")
    log_row(other, "84905222222")
    log_row(None, "84912000111", kind=Kind.RECALL)
    client.force_login(operator_create("vanhanh-tinbao"))

    listing = client.get(reverse("notifications_delivery:index")).content.decode()

    for recipient in ("84905111111", "84905222222", "84912000111"):
        assert recipient in listing


def test_people_without_a_store_see_no_log(client, two_farmers):
    (seller, _user, _store), _other = two_farmers
    row = log_row(seller, "84905111111")
    client.force_login(UserFactory(username="khach-la", is_staff=False))
    for url in (
        reverse("notifications_delivery:index"),
        reverse("notifications_delivery:inspect", args=[row.pk]),
        reverse("notifications_preference:index"),
    ):
        assert client.get(url).status_code in DENIED
