"""What is sent: an expiring certificate, a copied code (from the scan
page), a recall (seller and shoppers with a phone), and a product the
operator approved or sent back (through Wagtail's workflow in the admin)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import WorkflowState

from market.notifications.models import Channel, Delivery, DeliveryStatus, Kind
from market.notifications.services import preference_set
from market.services.certifications import certifications_notify_expiring
from tests.factories import (
    CertificationFactory,
    LotFactory,
    market_ensure,
    operator_create,
    product_in,
    seller_with_login,
)
from tests.market.test_permissions import edit_form_data
from tests.traceability.scan_helpers import signed_path
from tests.traceability.staff_helpers import operator_user
from tests.traceability.test_recall import order_packed_from
from traceability.services.recalls import lot_recall

pytestmark = pytest.mark.django_db

PHONE, MSISDN = "0905123456", "84905123456"


def test_expiring_certificates_reach_a_farmer_by_sms(
    home_page, sim, django_capture_on_commit_callbacks
):
    market_ensure()
    seller, _user, _store = seller_with_login(
        legal_name="Hợp tác xã Chè Tân Cương Thái Nguyên"
    )
    preference_set(seller=seller, channel=Channel.SMS, phone=PHONE)
    CertificationFactory(seller=seller, valid_until=dt.date(2026, 12, 10))
    CertificationFactory(seller=seller, valid_until=dt.date(2026, 12, 1))

    with django_capture_on_commit_callbacks(execute=True):
        assert certifications_notify_expiring(today=dt.date(2026, 11, 23)) == 2

    (request,) = sim.sms()
    text = request.body["Content"]
    assert "2 giay chung nhan" in text and "01/12/2026" in text
    assert mail.outbox == []
    delivery = Delivery.objects.get(kind=Kind.CERTIFICATE_EXPIRING)
    assert (delivery.seller, delivery.status) == (seller, DeliveryStatus.SENT)


def test_a_copied_code_is_told_to_the_seller_once(
    client, sim, settings, django_capture_on_commit_callbacks
):
    settings.SCAN_SUSPICIOUS_COUNT = 2
    lot = LotFactory(serials_issued=10)
    seller = lot.variant.product.seller
    preference_set(seller=seller, channel=Channel.SMS, phone=PHONE)
    path = signed_path(lot, "7")

    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            client.get(path)

    (request,) = sim.sms()
    assert "ma 7 " in request.body["Content"]
    assert f"lo {lot.code}" in request.body["Content"]
    assert "sao chep" in request.body["Content"]
    delivery = Delivery.objects.get(kind=Kind.COPIED_CODE)
    assert delivery.seller == seller
    assert "bi quet 3 lan" in delivery.text  # told at the first suspicious scan


def test_a_genuine_scan_sends_nothing(client, sim):
    lot = LotFactory(serials_issued=10)
    client.get(signed_path(lot, "1"))
    assert sim.requests == [] and not Delivery.objects.exists()


def test_a_recall_tells_the_seller_and_texts_shoppers_who_left_a_phone(
    sim, django_capture_on_commit_callbacks, settings
):
    lot = LotFactory(serials_issued=5)
    seller = lot.variant.product.seller
    preference_set(seller=seller, channel=Channel.ZALO, phone=PHONE)
    sim.templates.add("401004")
    settings.ZALO_TEMPLATES = {**settings.ZALO_TEMPLATES, "recall": "401004"}
    with_phone = order_packed_from(lot, email="lan@example.vn")
    no_phone = order_packed_from(lot, email="hoa@example.vn")
    no_phone.phone = ""
    no_phone.save(update_fields=["phone"])

    with django_capture_on_commit_callbacks(execute=True):
        lot_recall(
            lot=lot,
            reason="Phát hiện dư lượng thuốc trừ sâu vượt mức cho phép",
            actor=operator_user(),
        )

    (zalo,) = sim.zns()
    assert zalo.body["phone"] == MSISDN
    assert zalo.body["template_data"]["lot_code"] == lot.code
    assert zalo.body["template_data"]["shoppers"] == "2"
    (sms,) = sim.sms()
    assert sms.body["Phone"] == "84912000111"
    assert "THU HOI" in sms.body["Content"] and with_phone.number in sms.body["Content"]
    assert seller.phone in sms.body["Content"]
    # Both shoppers still get the full e-mail.
    assert sorted(m.to[0] for m in mail.outbox) == ["hoa@example.vn", "lan@example.vn"]
    shopper_rows = Delivery.objects.filter(kind=Kind.RECALL, seller=None)
    assert shopper_rows.count() == 1


# --- moderation: the farmer is told (issue #13) -----------------------------------


@pytest.fixture
def submitted(client, home_page):
    market_ensure()
    seller, user, store = seller_with_login(legal_name="Hộ ông Tư trồng bưởi")
    product = product_in(store, title="Bưởi da xanh Bến Tre", live=False)
    client.force_login(user)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[product.pk]),
        {**edit_form_data(product), "action-submit": "1"},
        follow=True,
    )
    return seller, user, product, response


def test_submitting_a_product_says_it_waits_for_the_operator(submitted, client):
    _seller, _user, product, response = submitted
    html = response.content.decode()
    assert "Đã gửi “Bưởi da xanh Bến Tre” cho ban quản lý chợ duyệt" in html
    assert "bạn sẽ nhận tin báo khi sản phẩm được đăng" in html

    edit = client.get(reverse("wagtailadmin_pages:edit", args=[product.pk]))
    assert "Sản phẩm này đang chờ ban quản lý chợ duyệt" in edit.content.decode()


def _act(client, product, action, comment=""):
    state = WorkflowState.objects.get(object_id=str(product.pk))
    client.force_login(operator_create("vanhanh-duyet"))
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[product.pk, action, state.current_task_state.pk],
    )
    return client.post(url, {"comment": comment})


def test_the_farmer_is_told_when_the_operator_publishes_the_product(
    submitted, client, sim, django_capture_on_commit_callbacks
):
    seller, _user, product, _response = submitted
    preference_set(seller=seller, channel=Channel.SMS, phone=PHONE)

    with django_capture_on_commit_callbacks(execute=True):
        _act(client, product, "approve")

    product.refresh_from_db()
    assert product.live
    (request,) = sim.sms()
    assert "Buoi da xanh Ben Tre" in request.body["Content"]
    assert "da duoc duyet" in request.body["Content"]
    assert Delivery.objects.get().kind == Kind.PRODUCT_PUBLISHED


def test_the_farmer_is_emailed_what_to_fix_when_the_product_is_sent_back(
    submitted, client, django_capture_on_commit_callbacks
):
    seller, _user, product, _response = submitted

    with django_capture_on_commit_callbacks(execute=True):
        _act(client, product, "reject", comment="Ảnh bị mờ, hãy chụp lại.")

    product.refresh_from_db()
    assert not product.live
    (message,) = [m for m in mail.outbox if "chưa được duyệt" in m.subject]
    assert seller.email in message.to
    assert "Ảnh bị mờ, hãy chụp lại." in message.body
