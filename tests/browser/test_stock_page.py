"""A farmer sets stock on a phone-sized screen, in Chromium."""

from __future__ import annotations

import pytest

from market.models import Stock
from tests.browser.conftest import axe_violations
from tests.browser.test_farmer_flow import admin_login
from tests.factories import SellerFactory, UserFactory, product_create, store_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Wagtail's own chrome is not ours to fix (its "go to the first error" count
# button fails contrast); the page's content must pass.
OUR_PART = {"include": [["main"]], "exclude": [["[data-controller~='w-count']"]]}


def test_a_farmer_types_the_shelf_count_and_a_wrong_one_is_explained(page, live_server):
    seller = SellerFactory()
    user = UserFactory(username="0912000111")
    user.set_password("mat-khau-nong-dan-1")
    user.save()
    seller.users.add(user)
    store_for(seller)
    product = product_create(
        seller=seller,
        title="Mật ong bạc hà Đồng Văn",
        variants=[("Hũ 500 g", 250_000, 3)],
    )
    variant = product.variants.get()
    Stock.objects.filter(variant=variant).update(allocated=2)

    admin_login(page, live_server.url, "0912000111", "mat-khau-nong-dan-1")
    page.goto(live_server.url + "/admin/ton-kho/")
    box = page.get_by_label("Còn trong kho: Mật ong bạc hà Đồng Văn, Hũ 500 g")
    assert box.input_value() == "3"
    assert axe_violations(page, context=OUR_PART) == []

    box.fill("1")  # fewer than the 2 jars orders hold
    page.get_by_role("button", name="Lưu tồn kho").click()
    page.get_by_text("Đang có 2 đơn vị giữ cho đơn hàng", exact=False).wait_for()
    # Wagtail fades its messages in over half a second; judge them shown.
    # (Playwright's `expect`, not a string predicate: the admin's CSP has no
    # 'unsafe-eval'.)
    from playwright.sync_api import expect

    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")
    assert box.input_value() == "1"
    assert axe_violations(page, context=OUR_PART) == []

    box.fill("40")
    page.get_by_role("button", name="Lưu tồn kho").click()
    page.get_by_text("Đã lưu tồn kho của 1 loại hàng.").wait_for()
    assert Stock.objects.get(variant=variant).on_hand == 40
