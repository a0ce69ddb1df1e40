import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_in_chromium_is_vietnamese_and_local(page, live_server):
    from cms.demo import seed_site

    seed_site()
    page.goto(live_server.url + "/")
    assert "Nguồn Quê" in page.title()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("link", name="Vào chợ xem hàng").is_visible()
    assert page.outside_requests == []
    assert axe_violations(page) == []
