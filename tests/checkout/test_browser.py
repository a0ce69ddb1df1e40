"""A shopper in Chromium: cart, checkout with the shipping quote, order page.
Every page passes axe. (The card and VietQR payment steps are covered by
tests/browser/test_checkout_flow.py.)"""

import re

import pytest

from market.checkout.models import Order
from tests.browser.conftest import axe_violations
from tests.factories import (
    HA_NOI,
    HANOI_WARD,
    HCMC,
    seller_create,
    tariffs_create,
    variant_create,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def goods(home_page, live_server):
    tariffs_create()
    tea = variant_create(
        seller_create(home_page, province_code=HA_NOI, name="HTX Chè Thái"),
        title="Chè búp",
        unit="gói",
        price_vnd=120_000,
    )
    sauce = variant_create(
        seller_create(home_page, province_code=HCMC, name="Hộ Mắm Cần Giờ"),
        title="Nước mắm",
        unit="chai",
        price_vnd=85_000,
        on_hand=3,
    )
    return tea, sauce


def put_in_cart(page, base, variant, quantity):
    """What the product page's form does: a plain form post with CSRF."""
    page.goto(f"{base}/gio-hang/")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    page.request.post(
        f"{base}/gio-hang/them/",
        form={"variant": str(variant.pk), "quantity": str(quantity)},
        headers={"X-CSRFToken": token, "Referer": f"{base}/gio-hang/"},
    )


def test_a_shopper_orders_from_two_sellers_on_accessible_pages(
    page, live_server, goods
):
    tea, sauce = goods
    base = live_server.url
    put_in_cart(page, base, tea, 2)
    put_in_cart(page, base, sauce, 1)

    page.goto(f"{base}/gio-hang/")
    assert page.get_by_role("heading", name="Hàng của HTX Chè Thái").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Số lượng").nth(1).fill("5")
    page.get_by_role("button", name="Cập nhật").nth(1).click()
    assert page.get_by_text("chỉ còn 3 chai, bạn đã chọn 5").is_visible()

    page.get_by_role("link", name="Đặt hàng").click()
    page.get_by_label("Họ tên người nhận").fill("Trần Thị Mai")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Tỉnh / thành phố").select_option(str(HA_NOI))
    # checkout.js fills the wards and fees in place: no button to press.
    page.locator(f'select[name="ward_code"] option[value="{HANOI_WARD}"]').wait_for(
        state="attached"
    )
    assert page.get_by_text("Bạn sẽ trả").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Phường / xã").select_option(str(HANOI_WARD))
    page.get_by_label("Số nhà, thôn / ấp, đường").fill("12 ngõ 34 Đội Cấn")
    page.get_by_label("Chuyển khoản VietQR").check()
    page.get_by_role("button", name="Đặt hàng").click()

    page.wait_for_url(re.compile(r"/don-hang/NQ\w{6}/\?t="))
    order = Order.objects.get()
    assert page.get_by_role("heading", name=f"Đơn hàng {order.number}").is_visible()
    assert order.shipments.count() == 2
    assert axe_violations(page) == []
