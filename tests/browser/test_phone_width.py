"""Every public page on a 360-px phone (issue 13, items 6 and "below the
fold"): no horizontal scroll, the top menu on one line, 0 axe violations,
and after filtering the first result is on the first screen.

The pages are the demo's (`seed_demo`), as a new shopper finds them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 360, 740


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": WIDTH, "height": HEIGHT}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    from cms.models import NewsIndexPage, NewsPage
    from cms.places.models import PlacePage
    from market.checkout.models import Order
    from market.checkout.selectors import order_url
    from market.models import ProductPage, StorePage
    from traceability.models import Lot
    from traceability.services.links import lot_link

    product = ProductPage.objects.live().filter(in_stock=True).order_by("pk").first()
    lot = Lot.objects.filter(serials_issued__gt=0).order_by("pk").first()
    pages = {
        "home": "/",
        "market list": "/cho/",
        "search results": reverse("search") + "?q=mat+ong",
        "store": StorePage.objects.live().order_by("pk").first().url,
        "product": product.url,
        "news index": NewsIndexPage.objects.live().first().url,
        "news page": NewsPage.objects.live().first().url,
        "order page": order_url(Order.objects.order_by("pk").first()),
    }
    place = PlacePage.objects.live().order_by("pk").first()
    if place is not None:
        pages["place page"] = place.url
    if lot is not None:
        pages["scan page"] = lot_link(lot=lot, serial="1")
    return pages, product


def check_fits(page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: {width} px wide at {WIDTH} px"
    menu = page.locator("header.top nav ul")
    if menu.count():
        rows = page.evaluate(
            "[...document.querySelectorAll('header.top nav li')]"
            ".map(li => li.getBoundingClientRect().top)"
        )
        assert len({round(top) for top in rows}) == 1, f"{name}: menu wraps"
    assert axe_violations(page) == [], name


def test_every_public_page_fits_a_360_px_phone(phone, demo, live_server):
    pages, product = demo
    base = live_server.url
    for name, path in pages.items():
        response = phone.goto(path if path.startswith("http") else base + path)
        assert response.status == 200, (name, path, response.status)
        check_fits(phone, name)
    # The cart and checkout with something in the cart.
    phone.goto(base + product.url)
    phone.get_by_role("button", name="Thêm vào giỏ hàng").click()
    phone.wait_for_load_state()
    for name, path in (("cart", "/gio-hang/"), ("checkout", "/thanh-toan/")):
        assert phone.goto(base + path).status == 200, name
        check_fits(phone, name)


def test_after_filtering_the_results_start_on_the_first_screen(
    phone, demo, live_server
):
    base = live_server.url
    for path in ("/cho/?in_stock=on", reverse("search") + "?q=mat+ong&in_stock=on"):
        phone.goto(base + path)
        first = phone.locator("ul.cards li, li.result").first
        box = first.bounding_box()
        assert box is not None, path
        assert box["y"] < HEIGHT, f"{path}: first result at {box['y']:.0f} px"
        # The filters are one tap away, and say that a filter is on.
        assert phone.locator("details summary").first.is_visible()
        assert "đang lọc" in phone.locator("details summary").first.inner_text()
