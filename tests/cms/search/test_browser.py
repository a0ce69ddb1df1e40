import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_page_finds_without_diacritics_suggests_and_passes_axe(
    page,
    live_server,
):
    from tests.factories import SellerFactory, product_create

    product_create(
        seller=SellerFactory(legal_name="HTX Ong mật Đồng Văn"),
        title="Mật ong bạc hà Đồng Văn",
        variants=[("500 ml", 450_000, 5)],
    )
    page.goto(live_server.url + "/search/")
    box = page.get_by_label("Bạn muốn tìm gì?")
    box.press_sequentially("mat o", delay=30)
    # the progressive enhancement fills the datalist from the JSON endpoint
    expect(page.locator("#q-suggestions option")).not_to_have_count(0)
    assert page.locator("#q-suggestions option").first.get_attribute("value") == (
        "Mật ong bạc hà Đồng Văn"
    )
    box.fill("mat ong")
    box.press("Enter")
    page.wait_for_url("**/search/?q=mat+ong**")
    first = page.locator("ol.results li h2 a").first
    assert first.inner_text() == "Mật ong bạc hà Đồng Văn"
    assert page.locator("ol.results mark").count() >= 2
    assert axe_violations(page) == []
    assert page.outside_requests == []
