"""Sending through the delivery log: the farmer's channel, retries with
exponential backoff, permanent errors, the expired Zalo token, the fallback
from Zalo to SMS, once per event. The provider is our simulator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from market import signals
from market.checkout.models import Order
from market.checkout.services import LineRequest, order_mark_paid, order_place
from market.notifications.events import product_review_notify
from market.notifications.models import Channel, Delivery, DeliveryStatus, Kind
from market.notifications.services import (
    BACKOFF_BASE_SECONDS,
    MAX_ATTEMPTS,
    deliveries_retry_due,
    delivery_attempt,
    preference_set,
)
from market.notifications.sms import fits_one_sms
from market.notifications.tasks import deliver_notification
from tests.factories import seller_create, tariffs_create, variant_create

pytestmark = pytest.mark.django_db

FARMER_PHONE = "0905 123 456"
MSISDN = "84905123456"


@pytest.fixture
def shop(home_page):
    tariffs_create()
    seller = seller_create(home_page, name="HTX Nước mắm Cửa Đại")
    seller.email = "htx@example.vn"
    seller.save(update_fields=["email"])
    variant = variant_create(seller, title="Nước mắm cá cơm", price_vnd=85_000)
    return seller, variant


def paid_order(variant, customer, address, captured) -> Order:
    with captured(execute=True):
        order = order_place(
            cart_lines=[LineRequest(variant.pk, 2)],
            customer=customer,
            address=address,
            payment_method="vietqr",
        )
    with captured(execute=True):
        order_mark_paid(order=order, paid_at=timezone.now(), note="test")
    return order


def to_pack(seller):
    return Delivery.objects.filter(seller=seller, kind=Kind.ORDER_TO_PACK)


def test_without_a_choice_the_farmer_is_emailed_the_order_to_pack(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim
):
    seller, variant = shop
    order = paid_order(
        variant, customer, hanoi_address, django_capture_on_commit_callbacks
    )

    (delivery,) = to_pack(seller)
    assert delivery.channel == Channel.EMAIL
    assert delivery.status == DeliveryStatus.SENT
    sent = [m for m in mail.outbox if order.number in m.subject and "htx@" in m.to[0]]
    assert len(sent) == 1
    assert "Nước mắm cá cơm" in sent[0].body
    assert sim.requests == []


def test_a_farmer_who_chose_sms_gets_one_sms_with_the_order(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.SMS, phone=FARMER_PHONE)

    order = paid_order(
        variant, customer, hanoi_address, django_capture_on_commit_callbacks
    )

    (request,) = sim.sms()
    assert request.body["Phone"] == MSISDN
    assert order.number in request.body["Content"]
    assert fits_one_sms(request.body["Content"])
    assert request.body["IsUnicode"] == "0"
    (delivery,) = to_pack(seller)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.recipient == MSISDN
    assert delivery.attempts == 1
    assert len(delivery.provider_message_id) == 32
    assert request.body["RequestId"] == f"nq-{delivery.pk}"


def test_a_farmer_who_chose_zalo_gets_the_zns_template(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.ZALO, phone=FARMER_PHONE)

    order = paid_order(
        variant, customer, hanoi_address, django_capture_on_commit_callbacks
    )

    (request,) = sim.zns()
    assert request.body["template_id"] == "401001"
    assert request.body["phone"] == MSISDN
    assert request.body["template_data"]["order_code"] == order.number
    assert request.body["template_data"]["store_name"] == "HTX Nước mắm Cửa Đại"
    assert request.body["template_data"]["quantity"] == "2"
    assert to_pack(seller).get().channel == Channel.ZALO


def test_zalo_without_a_template_for_the_kind_goes_by_sms(
    shop, sim, django_capture_on_commit_callbacks
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.ZALO, phone=FARMER_PHONE)

    with django_capture_on_commit_callbacks(execute=True):
        product_review_notify(product=variant.product, approved=True, revision_id=1)

    assert sim.zns() == []
    (request,) = sim.sms()
    assert "Nuoc mam ca com" in request.body["Content"]


def test_a_double_paid_signal_tells_the_farmer_once(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.SMS, phone=FARMER_PHONE)
    order = paid_order(
        variant, customer, hanoi_address, django_capture_on_commit_callbacks
    )

    signals.order_paid.send(sender=Order, order=order)

    assert len(sim.sms()) == 1
    assert to_pack(seller).count() == 1


def test_a_500_is_retried_after_backoff_and_then_sent(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.SMS, phone=FARMER_PHONE)
    sim.fail_next(1, "500")
    before = timezone.now()

    paid_order(variant, customer, hanoi_address, django_capture_on_commit_callbacks)

    delivery = to_pack(seller).get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("Tạm thời chưa gửi được, sẽ tự gửi lại")
    assert "500" in delivery.last_error
    wait = delivery.next_attempt_at - before
    assert dt.timedelta(seconds=BACKOFF_BASE_SECONDS) <= wait
    assert wait < dt.timedelta(seconds=BACKOFF_BASE_SECONDS + 30)

    assert deliveries_retry_due() == 0  # not yet due
    assert deliveries_retry_due(now=delivery.next_attempt_at) == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert len(sim.sms()) == 2


def test_a_slow_provider_times_out_and_is_retried(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.SMS, phone=FARMER_PHONE)
    sim.fail_next(1, "slow")

    paid_order(variant, customer, hanoi_address, django_capture_on_commit_callbacks)

    delivery = to_pack(seller).get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "no answer within 0.5 s" in delivery.last_error
    deliveries_retry_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    # The slow request reached eSMS with the same RequestId: if it had been
    # taken, the retry is answered 124 and still counts as sent, once.
    assert delivery.status == DeliveryStatus.SENT


def test_backoff_doubles_and_gives_up_after_the_last_attempt(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.SMS, phone=FARMER_PHONE)
    sim.fail_next(MAX_ATTEMPTS, "500")

    paid_order(variant, customer, hanoi_address, django_capture_on_commit_callbacks)

    delivery = to_pack(seller).get()
    waits = []
    while delivery.status == DeliveryStatus.PENDING:
        tried_at = delivery.next_attempt_at
        deliveries_retry_due(now=tried_at)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at - tried_at).total_seconds())
    assert waits == [BACKOFF_BASE_SECONDS * 2**n for n in range(1, MAX_ATTEMPTS - 1)]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert len(sim.sms()) == MAX_ATTEMPTS


def test_a_permanent_error_fails_at_once_and_is_not_retried(
    shop, sim, django_capture_on_commit_callbacks
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.SMS, phone=FARMER_PHONE)
    sim.secret_key, real = "rotated", sim.secret_key  # our key no longer valid
    try:
        with django_capture_on_commit_callbacks(execute=True):
            product_review_notify(product=variant.product, approved=True, revision_id=2)
    finally:
        sim.secret_key = real

    delivery = Delivery.objects.get(seller=seller)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("Nhà mạng từ chối, không gửi lại")
    assert "101" in delivery.last_error
    assert delivery.next_attempt_at is None
    assert deliveries_retry_due(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_an_expired_zalo_token_waits_until_the_operator_sets_a_new_one(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim, settings
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.ZALO, phone=FARMER_PHONE)
    sim.zalo_token = "zalo-token-2"  # Zalo expired our token

    paid_order(variant, customer, hanoi_address, django_capture_on_commit_callbacks)

    delivery = to_pack(seller).get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("Khóa Zalo hết hạn")
    assert "-124" in delivery.last_error

    settings.ZALO_ACCESS_TOKEN = "zalo-token-2"
    deliveries_retry_due(now=delivery.next_attempt_at)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert sim.zns()[-1].headers["access_token"] == "zalo-token-2"


def test_a_number_without_zalo_gets_the_message_by_sms(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, sim
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.ZALO, phone=FARMER_PHONE)
    sim.no_zalo.add(MSISDN)

    order = paid_order(
        variant, customer, hanoi_address, django_capture_on_commit_callbacks
    )

    zalo, sms = to_pack(seller).order_by("pk")
    assert (zalo.channel, zalo.status) == (Channel.ZALO, DeliveryStatus.FAILED)
    assert "-118" in zalo.last_error
    assert (sms.channel, sms.status) == (Channel.SMS, DeliveryStatus.SENT)
    assert order.number in sim.sms()[0].body["Content"]


def test_without_sms_keys_a_farmer_who_chose_sms_is_emailed(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, settings
):
    settings.ESMS_API_KEY = ""
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.SMS, phone=FARMER_PHONE)

    paid_order(variant, customer, hanoi_address, django_capture_on_commit_callbacks)

    assert to_pack(seller).get().channel == Channel.EMAIL


def test_with_a_deferring_task_backend_a_retry_is_enqueued_with_run_after(
    shop, sim, settings
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.SMS, phone=FARMER_PHONE)
    # The row as the use case leaves it (its send waits for the commit).
    product_review_notify(product=variant.product, approved=True, revision_id=3)
    delivery = Delivery.objects.get(seller=seller)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    sim.fail_next(1, "500")

    delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    queued = DBTaskResult.objects.filter(task_path=deliver_notification.module_path)
    (retry,) = [row for row in queued if row.args_kwargs["args"] == [delivery.pk]]
    assert retry.run_after == delivery.next_attempt_at
    assert retry.run_after >= timezone.now() + dt.timedelta(seconds=59)


# --- Zalo token refresh -----------------------------------------------------------


@pytest.fixture
def refreshing(sim, settings):
    """The app's id and secret and a first refresh token are set: expired
    access tokens are renewed through Zalo's OAuth endpoint (our simulator)."""
    settings.ZALO_APP_ID = sim.app_id
    settings.ZALO_APP_SECRET = sim.app_secret
    settings.ZALO_REFRESH_TOKEN = "refresh-1"
    return sim


def test_an_expired_zalo_token_is_refreshed_and_the_message_goes_at_once(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, refreshing
):
    from market.notifications.models import ZaloToken

    seller, variant = shop
    preference_set(seller=seller, channel=Channel.ZALO, phone=FARMER_PHONE)
    refreshing.zalo_token = "issued-later"  # the seeded token has expired

    paid_order(variant, customer, hanoi_address, django_capture_on_commit_callbacks)

    delivery = to_pack(seller).get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    (oauth,) = refreshing.oauth_calls()
    assert oauth.headers["secret_key"] == "zalo-app-secret"
    assert oauth.body == {
        "refresh_token": "refresh-1",
        "app_id": "zalo-app",
        "grant_type": "refresh_token",
    }
    refused, sent = refreshing.zns()
    assert refused.headers["access_token"] == "zalo-token-1"
    assert sent.headers["access_token"] == "zalo-token-r1"
    # The new pair is kept: the spent refresh token is never sent again.
    token = ZaloToken.objects.get()
    assert (token.access_token, token.refresh_token) == ("zalo-token-r1", "refresh-r1")
    assert token.expires_at > timezone.now() + dt.timedelta(hours=24)


def test_a_token_about_to_expire_is_renewed_before_sending(
    shop, django_capture_on_commit_callbacks, refreshing, settings
):
    from market.notifications.models import ZaloToken

    seller, variant = shop
    preference_set(seller=seller, channel=Channel.ZALO, phone=FARMER_PHONE)
    settings.ZALO_TEMPLATES = {**settings.ZALO_TEMPLATES, "product_published": "401003"}
    ZaloToken.objects.create(
        pk=1,
        access_token="zalo-token-1",
        refresh_token="refresh-1",
        expires_at=timezone.now() + dt.timedelta(minutes=2),
    )

    with django_capture_on_commit_callbacks(execute=True):
        product_review_notify(product=variant.product, approved=True, revision_id=9)

    assert len(refreshing.oauth_calls()) == 1
    (sent,) = refreshing.zns()
    assert sent.headers["access_token"] == "zalo-token-r1"


def test_a_refused_refresh_keeps_the_message_waiting(
    shop, customer, hanoi_address, django_capture_on_commit_callbacks, refreshing
):
    seller, variant = shop
    preference_set(seller=seller, channel=Channel.ZALO, phone=FARMER_PHONE)
    refreshing.zalo_token = "issued-later"
    refreshing.refresh_tokens.clear()  # our refresh token was spent elsewhere

    paid_order(variant, customer, hanoi_address, django_capture_on_commit_callbacks)

    delivery = to_pack(seller).get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("Khóa Zalo hết hạn")
    assert "Invalid refresh token" in delivery.last_error
