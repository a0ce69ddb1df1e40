"""The scan page in headless Chromium: what a shopper with a phone sees."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from tests.factories import LotFactory, UserFactory
from traceability.services.links import lot_link
from traceability.services.recalls import lot_recall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lot(settings, live_server):
    settings.SITE_URL = live_server.url
    return LotFactory(serials_issued=50, farm__name="Vườn thanh long Hàm Thuận")


def verdict(page) -> str:
    return page.locator("[data-verdict]").get_attribute("data-verdict")


def test_genuine_label_shows_the_farm_and_passes_axe_locally(page, lot):
    page.goto(lot_link(lot=lot, serial="17"))

    assert verdict(page) == "genuine"
    assert page.get_by_text("Vườn thanh long Hàm Thuận").is_visible()
    assert page.get_by_role("heading", name="Hàng thật").is_visible()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.outside_requests == []
    assert axe_violations(page) == []


@pytest.mark.parametrize("part", ["serial", "signature"])
def test_one_altered_character_is_not_genuine_and_passes_axe(page, lot, part):
    link = lot_link(lot=lot, serial="17")
    if part == "serial":
        altered = link.replace("/21/17", "/21/18")
    else:
        sig = link.rsplit("s=", 1)[1]
        altered = link[: -len(sig)] + ("x" if sig[0] != "x" else "y") + sig[1:]

    page.goto(altered)

    assert verdict(page) == "not-genuine"
    assert page.get_by_text("Vườn thanh long Hàm Thuận").count() == 0
    assert page.get_by_text("hãy báo cho chúng tôi").is_visible()
    assert page.outside_requests == []
    assert axe_violations(page) == []


def test_recall_turns_the_open_page_red_on_reload(page, lot):
    page.goto(lot_link(lot=lot, serial="3"))
    assert verdict(page) == "genuine"

    lot_recall(
        lot=lot,
        reason="Nhiễm khuẩn trong khâu đóng gói",
        actor=UserFactory(is_superuser=True),
    )
    page.reload()

    assert verdict(page) == "recalled"
    assert page.get_by_text("Nhiễm khuẩn trong khâu đóng gói").is_visible()
    assert axe_violations(page) == []


def test_without_javascript_the_verdict_shows_and_a_report_can_be_sent(
    browser, live_server, lot
):
    context = browser.new_context(
        java_script_enabled=False,
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
    )
    page = context.new_page()
    try:
        page.goto(lot_link(lot=lot, serial="9"))
        assert verdict(page) == "genuine"
        assert page.get_by_text("Vườn thanh long Hàm Thuận").is_visible()

        page.get_by_text("Báo có vấn đề với sản phẩm này").click()
        page.get_by_label("Bạn thấy vấn đề gì?").fill("Nắp chai bị móp")
        page.get_by_role("button", name="Gửi báo cáo").click()

        assert page.get_by_role(
            "heading", name="Cảm ơn bạn đã báo cho chúng tôi"
        ).is_visible()
    finally:
        context.close()


def test_circular_02_elements_fit_a_360_px_phone_and_pass_axe(
    browser, live_server, lot
):
    """Long codes (location URIs, GS1 element strings) wrap instead of
    pushing the page wider than a small phone."""
    from tests.factories import FarmFactory, LotFactory
    from traceability.services.inputs import lot_input_add
    from traceability.services.lots import lot_create

    supplier = LotFactory(harvested_on=lot.harvested_on, farm=FarmFactory())
    made = lot_create(
        variant=lot.variant,
        farm=lot.farm,
        code="MAM-2610-DAI-HAN",
        harvested_on=lot.harvested_on,
        packed_on=lot.packed_on,
        best_before=lot.best_before,
        quantity=100,
        standards_applied="TCVN 5107:2018",
    )
    operator = UserFactory(is_superuser=True)
    lot_input_add(lot=made, actor=operator, source_lot=supplier, quantity="50 kg")
    made.serials_issued = 5
    made.save(update_fields=["serials_issued"])
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    try:
        page.goto(lot_link(lot=made, serial="5"))
        assert verdict(page) == "genuine"
        assert page.get_by_text("TCVN 5107:2018").is_visible()
        assert page.locator("[data-input]").count() == 1
        assert page.locator("[data-stage=commissioning]").count() == 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
        assert axe_violations(page) == []
    finally:
        context.close()
