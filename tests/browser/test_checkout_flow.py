"""A new shopper in Chromium: cart from two sellers, card payment confirmed
by localstripe's own webhook, then a VietQR order confirmed by a signed bank
notification. The order page must pass axe."""

from __future__ import annotations

import re

import pytest
import requests
from django.urls import reverse

from tests.browser.conftest import axe_violations
from tests.factories import (
    HA_NOI,
    HANOI_WARD,
    HCMC,
    seller_create,
    tariffs_create,
    variant_create,
)
from tests.payments.conftest import (  # noqa: F401 — fixtures
    WEBHOOK_SECRET,
    bank_signed,
    gateway_settings,
    gateway_url,
    gateway_webhook,
    localstripe,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.localstripe,
    pytest.mark.django_db(transaction=True),
]

PAID = "Đã thanh toán"


@pytest.fixture
def shop(home_page, gateway_webhook):  # noqa: F811 — fixture
    tariffs_create()
    tea_farm = seller_create(home_page, province_code=HA_NOI, name="HTX Chè Tân Cương")
    sauce_house = seller_create(home_page, province_code=HCMC, name="Hộ Mắm Cần Giờ")
    tea = variant_create(
        tea_farm, title="Chè búp Tân Cương", unit="gói", price_vnd=120_000
    )
    sauce = variant_create(sauce_house, title="Nước mắm cá cơm", price_vnd=85_000)
    return tea, sauce


def add_to_cart(page, base, variant, quantity=1):
    page.goto(f"{base}{variant.product.url}")
    page.get_by_label("Số lượng").fill(str(quantity))
    page.get_by_role("button", name="Thêm vào giỏ hàng").click()
    page.wait_for_load_state()


def check_out(page, base, method_label):
    page.goto(f"{base}/gio-hang/")
    page.goto(f"{base}/thanh-toan/")
    page.get_by_label("Họ tên người nhận").fill("Nguyễn Văn An")
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    page.get_by_label("Tỉnh / thành phố").select_option(str(HA_NOI))
    # checkout.js fills the wards and fees in place: no button to press.
    page.locator(f'select[name="ward_code"] option[value="{HANOI_WARD}"]').wait_for(
        state="attached"
    )
    page.get_by_label("Phường / xã").select_option(str(HANOI_WARD))
    page.get_by_label("Số nhà, thôn / ấp, đường").fill("12 ngõ Chè")
    page.get_by_label(method_label).check()
    page.get_by_role("button", name="Đặt hàng").click()
    page.wait_for_url(re.compile(r"/don-hang/NQ\w+/"))
    return page.url


def test_shopper_pays_by_card_and_by_vietqr(page, live_server, shop):
    from market.checkout.models import Order

    tea, sauce = shop
    base = live_server.url

    add_to_cart(page, base, tea, 2)
    add_to_cart(page, base, sauce, 1)
    check_out(page, base, "Thẻ ngân hàng")
    order = Order.objects.get()
    assert order.shipments.count() == 2

    fill_card(page, "4242424242424242")
    # The demo shows its test cards; localstripe's bare English caption is gone.
    assert page.get_by_text("4000 0000 0000 0341").is_visible()
    assert "localstripe" not in page.locator("#card-pay").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name=re.compile("^Thanh toán")).click()

    page.locator(".status").get_by_text(PAID).wait_for(timeout=30_000)
    order.refresh_from_db()
    assert order.status == "paid"
    assert "4242424242424242" not in str(list(order.payments.values()))
    assert axe_violations(page) == []
    assert page.outside_requests == []

    add_to_cart(page, base, tea, 1)
    check_out(page, base, "Chuyển khoản VietQR")
    second = Order.objects.exclude(pk=order.pk).get()
    assert page.get_by_text(second.number).first.is_visible()
    assert page.get_by_text("một trăm", exact=False).first.is_visible()
    qr = page.get_by_role("img", name=re.compile("Mã VietQR"))
    assert qr.evaluate("img => img.naturalWidth") > 0
    assert axe_violations(page) == []

    body, headers = bank_signed(
        {
            "transaction_id": "FT-BROWSER-1",
            "amount": second.total_vnd,
            "reference": f"MBVCB.1.{second.number}.CT tu 0912345678",
            "time": "2026-11-23T10:00:00+07:00",
        }
    )
    answer = requests.post(
        f"{base}{reverse('payments:bank_webhook')}",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Signature": headers["HTTP_X_SIGNATURE"],
        },
        timeout=10,
    )
    assert answer.status_code == 200

    page.locator(".status").get_by_text(PAID).wait_for(timeout=15_000)
    second.refresh_from_db()
    assert second.status == "paid"


def fill_card(page, number):
    card = page.locator("#card-element")
    card.get_by_label("Số thẻ").fill(number)
    card.get_by_label("Tháng hết hạn (2 số)").fill("12")
    card.get_by_label("Năm hết hạn (2 số cuối)").fill("30")
    card.get_by_label("Mã CVC (3 số)").fill("123")
    card.get_by_label("Mã bưu chính").fill("10000")


def test_declined_card_is_explained_then_a_3d_secure_card_pays(page, live_server, shop):
    from market.checkout.models import Order

    tea, _sauce = shop
    base = live_server.url
    add_to_cart(page, base, tea, 1)
    check_out(page, base, "Thẻ ngân hàng")
    pay = page.get_by_role("button", name=re.compile("^Thanh toán"))

    fill_card(page, "4000000000000341")
    pay.click()
    alert = page.get_by_role("alert").filter(has_text="từ chối")
    alert.wait_for(timeout=15_000)
    assert "thẻ khác" in alert.inner_text()
    assert Order.objects.get().status == "pending_payment"

    fill_card(page, "4000002760003184")
    pay.click()
    # localstripe's fake 3-D Secure dialog: once to save the card, once to pay.
    page.get_by_role("button", name="Complete authentication").click()
    page.get_by_role("button", name="Complete authentication").click()

    page.locator(".status").get_by_text(PAID).wait_for(timeout=30_000)
    assert Order.objects.get().status == "paid"
