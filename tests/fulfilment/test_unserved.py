"""Paid parcels no post office serves are surfaced (issue 14): a list for the
operator with the reason, one alert e-mail per shipment however often the
every-minute job runs, and a plain message on the shopper's order page."""

from __future__ import annotations

import io
import logging
import socket

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from market import places
from market.checkout.selectors import order_url
from market.fulfilment.models import Parcel, UnservedShipment
from tests.factories import (
    PartnerAreaFactory,
    SellerFactory,
    operator_create,
    order_with_shipments,
    seller_with_login,
    ward_of,
)

pytestmark = pytest.mark.django_db

DA_NANG = 48  # no office serves it in these tests (partner_a serves Hà Nội)
OPERATOR_EMAIL = "vanhanh@cho.example.vn"


@pytest.fixture(autouse=True)
def _operator_mail(settings):
    settings.OPERATOR_EMAIL = OPERATOR_EMAIL


def operator_mails():
    return [m for m in mail.outbox if m.to == [OPERATOR_EMAIL]]


def assign_parcels_job():
    """`manage.py assign_parcels` as cron runs it: its commits are real."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("assign_parcels", stdout=io.StringIO())


@pytest.fixture
def far_seller(db):
    return SellerFactory(
        legal_name="HTX Nước mắm Nam Ô",
        province_code=DA_NANG,
        ward_code=ward_of(DA_NANG, 2),
    )


def test_one_alert_mail_per_shipment_with_ward_and_province(
    partner_a, far_seller, caplog
):
    with caplog.at_level(logging.WARNING, logger="market.fulfilment"):
        order = order_with_shipments(sellers=[far_seller])
        for _minute in range(3):
            assign_parcels_job()

    mails = operator_mails()
    assert len(mails) == 1
    ward = places.ward_name(far_seller.ward_code)
    assert order.number in mails[0].subject
    assert ward in mails[0].body
    assert "Thành phố Đà Nẵng" in mails[0].body
    assert "HTX Nước mắm Nam Ô" in mails[0].body
    record = UnservedShipment.objects.get()
    assert record.alerted_at is not None
    # One log line, in Vietnamese, not one a minute.
    lines = [r.getMessage() for r in caplog.records if "bưu cục" in r.getMessage()]
    assert len(lines) == 1 and ward in lines[0]
    assert not [r for r in caplog.records if "No delivery partner" in r.getMessage()]


def test_each_unserved_shipment_gets_its_own_alert(partner_a, far_seller):
    other = SellerFactory(province_code=DA_NANG, ward_code=None)
    order_with_shipments(sellers=[far_seller, other])
    assign_parcels_job()

    assert len(operator_mails()) == 2
    assert UnservedShipment.objects.count() == 2


def test_a_refused_mail_is_sent_by_the_next_run(partner_a, far_seller, settings):
    # A real refused connection: an SMTP server on a port nobody listens on.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    order_with_shipments(sellers=[far_seller])
    assert UnservedShipment.objects.get().alerted_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assign_parcels_job()
    assign_parcels_job()

    assert len(operator_mails()) == 1
    assert UnservedShipment.objects.get().alerted_at is not None


def test_operator_list_shows_reason_until_an_office_serves_the_area(
    client, partner_a, far_seller
):
    order = order_with_shipments(sellers=[far_seller])
    client.force_login(operator_create())

    html = client.get("/admin/giao-hang/chua-co-buu-cuc/").content.decode()
    assert order.number in html
    assert "HTX Nước mắm Nam Ô" in html
    reason = (
        f"Chưa có bưu cục nào phục vụ {places.ward_name(far_seller.ward_code)}, "
        "Thành phố Đà Nẵng."
    )
    assert reason in html

    PartnerAreaFactory(partner=partner_a, province_code=DA_NANG)
    assign_parcels_job()

    html = client.get("/admin/giao-hang/chua-co-buu-cuc/").content.decode()
    assert order.number not in html
    assert "Mọi kiện đã thanh toán đều có bưu cục nhận." in html
    assert Parcel.objects.get().partner == partner_a


def test_only_the_operator_opens_the_list(client, partner_a, far_seller):
    order_with_shipments(sellers=[far_seller])
    _seller, farmer, _store = seller_with_login(legal_name="HTX Chè Tân Cương")
    client.force_login(farmer)

    response = client.get("/admin/giao-hang/chua-co-buu-cuc/")

    assert response.status_code in {302, 403}
    assert "HTX Nước mắm Nam Ô" not in response.content.decode()


def test_shopper_reads_that_the_shop_is_arranging_delivery(
    client, partner_a, far_seller
):
    order = order_with_shipments(sellers=[far_seller])

    html = client.get(order_url(order)).content.decode()
    assert "Cửa hàng đang sắp xếp việc giao hàng." in html
    assert "Cần đóng gói" not in html

    PartnerAreaFactory(partner=partner_a, province_code=DA_NANG)
    assign_parcels_job()

    html = client.get(order_url(order)).content.decode()
    assert "Cửa hàng đang sắp xếp việc giao hàng." not in html
    assert Parcel.objects.get().tracking_code in html


def test_a_served_shipment_is_neither_listed_nor_alerted(partner_a, seller):
    order_with_shipments(sellers=[seller])
    assign_parcels_job()

    assert not UnservedShipment.objects.exists()
    assert operator_mails() == []
