"""Chromium at 360 px: a visitor buys a basket-boat ticket by card (confirmed
by localstripe's webhook), opens the e-ticket from the order page, and the
seller's staff check it in by typing the code (no camera in headless
Chromium). Every page passes axe."""

from __future__ import annotations

import re

import pytest

from market.tickets.codes import ticket_short_code
from market.tickets.models import Ticket
from tests.browser.conftest import axe_violations
from tests.browser.test_checkout_flow import check_out, fill_card
from tests.browser.test_farmer_flow import admin_login
from tests.factories import (
    market_ensure,
    seller_with_login,
    slot_create,
    tariffs_create,
    tour_create,
)
from tests.payments.conftest import (  # noqa: F401 — fixtures
    WEBHOOK_SECRET,
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


def test_buy_a_ticket_by_card_see_it_and_check_it_in(
    page,
    live_server,
    home_page,
    gateway_webhook,  # noqa: F811 — fixture
):
    tariffs_create()
    market_ensure()
    seller, farmer, _store = seller_with_login(legal_name="HTX Rừng dừa Bảy Mẫu")
    slot = slot_create(tour_create(seller), capacity=5)
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(f"{base}{slot.variant.product.url}")
    assert page.get_by_text("còn 5 chỗ").is_visible()
    assert axe_violations(page) == []
    page.get_by_label("Số vé (mỗi người một vé)").fill("1")
    page.get_by_role("button", name="Thêm vé vào giỏ hàng").click()
    page.wait_for_load_state()
    check_out(page, base, "Thẻ ngân hàng")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name=re.compile("^Thanh toán")).click()
    page.locator(".status").get_by_text("Đã thanh toán").wait_for(timeout=30_000)

    ticket = Ticket.objects.get()
    assert ticket.status == "valid"
    page.get_by_role("link", name=re.compile(f"Vé V{ticket.pk}")).click()
    page.wait_for_url(re.compile(r"/ve/\d+/"))
    assert page.locator("main svg").count() == 1
    assert page.get_by_text(ticket_short_code(ticket_id=ticket.pk)).is_visible()
    assert axe_violations(page) == []
    assert page.outside_requests == []

    page.context.clear_cookies()
    admin_login(page, base, farmer.username, "mat-khau-thu-123")
    page.goto(f"{base}/admin/ve/soat-ve/")
    assert axe_violations(page) == []
    page.get_by_label("Mã vé").fill(ticket_short_code(ticket_id=ticket.pk))
    page.get_by_role("button", name="Soát vé").click()
    page.wait_for_load_state()
    assert page.locator("#gate-result").get_attribute("data-outcome") == "admitted"
    assert axe_violations(page) == []
    page.get_by_label("Mã vé").fill(ticket_short_code(ticket_id=ticket.pk))
    page.get_by_role("button", name="Soát vé").click()
    page.wait_for_load_state()
    assert "Vé đã dùng lúc" in page.locator("#gate-result").inner_text()
    ticket.refresh_from_db()
    assert ticket.status == "used" and ticket.checked_in_by == farmer
