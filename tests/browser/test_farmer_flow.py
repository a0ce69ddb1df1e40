"""A farmer's first day, in Chromium: apply, get approved, list a product with
two variants and a VietGAP certificate, submit it, and see it in the market
once the operator approves."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from market import places
from market.models import Certification, ProductPage, ReviewStatus, StorePage
from tests.browser.conftest import axe_violations
from tests.factories import (
    DA_NANG,
    market_ensure,
    png_bytes,
    valid_tax_code,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "0935 246 810"
USERNAME = "0935246810"
PRODUCT = "Nước mắm cá cơm Cẩm Thanh"


def open_more_actions(page):
    page.locator("footer .w-dropdown-button .w-dropdown__toggle").first.click()


def test_new_farmer_applies_lists_a_product_and_it_goes_live(page, live_server):
    market = market_ensure()
    get_user_model().objects.create_superuser("vanhanh-b", "", "vanhanh-mat-khau-1")
    base = live_server.url
    ward_code, ward_label = places.wards(DA_NANG)[1]

    # 1. A new user applies; JavaScript fills the ward list for the province
    page.goto(base + "/dang-ky-ban-hang/")
    assert axe_violations(page) == []
    page.get_by_role("radio", name="Hộ kinh doanh").check()
    page.get_by_label("Tên hộ kinh doanh / hợp tác xã / doanh nghiệp", exact=True).fill(
        "Hộ kinh doanh Nước mắm Bà Hoa"
    )
    page.get_by_label("Mã số thuế", exact=True).fill(valid_tax_code(777))
    page.get_by_label("Họ tên người liên hệ", exact=True).fill("Trần Thị Hoa")
    page.get_by_label("Số điện thoại di động", exact=True).fill(PHONE)
    page.get_by_label("Tỉnh / thành phố", exact=True).select_option(str(DA_NANG))
    ward = page.get_by_label("Phường / xã", exact=True)
    ward.locator(f'option[value="{ward_code}"]').wait_for(state="attached")
    ward.select_option(str(ward_code))
    page.get_by_label("Ngân hàng nhận tiền bán hàng", exact=True).select_option(
        "970405"
    )
    page.get_by_label("Số tài khoản", exact=True).fill("3600 2050 12345")
    page.get_by_label("Tên chủ tài khoản", exact=True).fill("Tran Thi Hoa")
    page.get_by_role("button", name="Gửi hồ sơ").click()
    page.get_by_role("heading", name="Đang chờ duyệt").wait_for()
    status_url = page.url
    assert ward_label in page.content()
    assert axe_violations(page) == []
    assert page.outside_requests == []

    # 2. The operator approves in the admin and reads out the one-time password
    admin_login(page, base, "vanhanh-b", "vanhanh-mat-khau-1")
    page.goto(base + "/admin/seller_applications/")
    page.get_by_role("link", name="Hộ kinh doanh Nước mắm Bà Hoa").click()
    page.get_by_role("button", name="Duyệt và mở cửa hàng").click()
    password = page.locator(".one-time-password").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    admin_logout(page, base)
    page.goto(status_url)
    page.get_by_role("heading", name="Đã duyệt: cửa hàng đã mở").wait_for()
    assert axe_violations(page) == []

    # 3. The farmer logs in and sees only their own store
    admin_login(page, base, USERNAME, password)
    store = StorePage.objects.get(seller__tax_code=valid_tax_code(777))
    page.goto(base + f"/admin/pages/{store.pk}/")
    assert "Hộ kinh doanh Nước mắm Bà Hoa" in page.content()

    # 4. ... adds a product with two variants
    page.goto(base + f"/admin/pages/add/market/productpage/{store.pk}/")
    page.locator("#id_title").fill(PRODUCT)
    page.locator("#id_category").select_option("thuc-pham")
    page.locator("#id_unit").fill("chai")
    fill_variant(page, 0, "Chai 500 ml", "95000", "650", "BAHOA-500")
    page.locator("#id_variants-ADD").click()
    fill_variant(page, 1, "Chai 1 lít", "170000", "1200", "BAHOA-1000")
    # ... and submits it for moderation (publishing is not offered)
    open_more_actions(page)
    assert page.locator('button[name="action-publish"]').count() == 0
    page.locator('button[name="action-submit"]').click()
    # Wagtail goes back to the store's page list once the action is done.
    page.wait_for_url(re.compile(rf"/admin/pages/{store.pk}/$"))
    # ... and the screen says it waits for the operator (issue #13)
    assert "cho ban quản lý chợ duyệt" in page.content()
    product = ProductPage.objects.get(title=PRODUCT)
    assert not product.live
    assert product.get_latest_revision().as_object().variants.count() == 2

    # 5. ... and uploads a VietGAP certificate for it
    page.goto(base + "/admin/certifications/new/")
    page.locator("#id_product").select_option(str(product.pk))
    page.locator("#id_kind").select_option("vietgap")
    page.locator("#id_number").fill("VietGAP-TT-25-12-49-0031")
    page.locator("#id_scan").set_input_files(
        files=[{"name": "vietgap.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.locator("#id_issuer").fill("Trung tâm Chứng nhận Phù hợp (Quacert)")
    page.locator("#id_scope").fill("Cá cơm muối chượp, 1 nhà thùng")
    page.locator("#id_issued_on").fill("2025-06-01")
    page.locator("#id_valid_until").fill("2028-05-31")
    page.locator("#id_valid_until").press("Escape")
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/certifications/$"))
    certification = Certification.objects.get(number="VietGAP-TT-25-12-49-0031")
    assert certification.status == ReviewStatus.PENDING
    admin_logout(page, base)

    # 6. The operator approves the certificate and the moderation task
    admin_login(page, base, "vanhanh-b", "vanhanh-mat-khau-1")
    page.goto(base + f"/admin/certifications/inspect/{certification.pk}/")
    page.get_by_role("button", name="Duyệt", exact=True).click()
    page.goto(base + f"/admin/pages/{product.pk}/edit/")
    open_more_actions(page)
    page.locator(
        'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])'
    ).click()
    # Wagtail goes back to the store's page list once the action is done.
    page.wait_for_url(re.compile(rf"/admin/pages/{store.pk}/$"))
    product.refresh_from_db()
    assert product.live
    assert product.has_vietgap

    # 7. Shoppers find it on the market page filtered by the seller's province.
    # (Only public pages count here: the Wagtail admin checks for its own
    # updates on releases.wagtail.org.)
    page.outside_requests.clear()
    page.goto(base + market.url + f"?province={DA_NANG}")
    listing = page.get_by_role("link", name=PRODUCT)
    assert listing.is_visible()
    page.goto(base + product.url)
    assert page.get_by_role("heading", name=PRODUCT).is_visible()
    assert page.outside_requests == []


def fill_variant(page, index, label, price, weight, sku):
    page.locator(f"#id_variants-{index}-label").fill(label)
    page.locator(f"#id_variants-{index}-price_vnd").fill(price)
    page.locator(f"#id_variants-{index}-weight_g").fill(weight)
    page.locator(f"#id_variants-{index}-sku").fill(sku)


def admin_login(page, base, username, password):
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))


def admin_logout(page, base):
    page.context.clear_cookies()
