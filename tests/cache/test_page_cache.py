"""The anonymous page cache: hits for strangers, never someone else's page."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from market.services.catalogue import stock_set
from tests.factories import (
    FarmFactory,
    LotFactory,
    UserFactory,
    market_ensure,
    product_create,
)
from tests.traceability.scan_helpers import signed_path
from tests.traceability.staff_helpers import operator_user
from traceability.services.recalls import lot_recall

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def product(home_page):
    market_ensure()
    return product_create(title="Nước mắm Cẩm Thanh", variants=[("500 ml", 85_000, 5)])


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.mark.parametrize("which", ["home", "market", "store", "product"])
def test_a_second_anonymous_view_is_served_from_the_cache(client, product, which):
    path = {
        "home": "/",
        "market": "/cho/",
        "store": product.get_parent().url,
        "product": product.url,
    }[which]
    first, first_html = get(client, path)
    second, second_html = get(Client(), path)

    assert first["X-Cache"] == "miss"
    assert second["X-Cache"] == "hit"
    if which != "home":
        assert "Nước mắm Cẩm Thanh" in second_html
    # Same page, except each visitor's own CSRF token.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", first_html) == token.sub("", second_html)


def test_a_form_on_a_cached_page_works_for_the_next_visitor(product):
    get(Client(), product.url)
    shopper = Client(enforce_csrf_checks=True)
    response, html = get(shopper, product.url)
    assert response["X-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    variant = product.variants.get()

    added = shopper.post(
        "/gio-hang/them/",
        {"variant": variant.pk, "quantity": 2, "csrfmiddlewaretoken": token},
    )

    assert added.status_code == 302
    assert shopper.session["cart"] == {str(variant.pk): 2}


def test_a_signed_in_user_never_gets_the_cached_page(product):
    get(Client(), product.url)
    assert get(Client(), product.url)[0]["X-Cache"] == "hit"
    farmer = Client()
    farmer.force_login(UserFactory(username="nongdan-cache"))

    response, _html = get(farmer, product.url)

    assert response["X-Cache"] == "bypass"


def test_a_shopper_with_a_cart_sees_their_count_and_nobody_else_does(product):
    variant = product.variants.get()
    shopper = Client()
    shopper.post("/gio-hang/them/", {"variant": variant.pk, "quantity": 3})

    mine, my_html = get(shopper, product.url)
    stranger, stranger_html = get(Client(), product.url)
    again, again_html = get(Client(), product.url)

    assert mine["X-Cache"] == "bypass"
    assert "(3" in my_html
    # The shopper's page was never stored: the stranger renders afresh.
    assert stranger["X-Cache"] == "miss"
    assert again["X-Cache"] == "hit"
    assert 'class="count"' not in stranger_html + again_html


def test_a_price_change_shows_at_once(product, django_capture_on_commit_callbacks):
    get(Client(), product.url)
    assert "85.000" in get(Client(), product.url)[1]

    # The farmer edits the variant's price in the page editor and publishes.
    page = type(product).objects.get(pk=product.pk)
    variant = page.variants.all()[0]
    variant.price_vnd = 79_000
    page.variants = [variant]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    response, html = get(Client(), product.url)
    assert response["X-Cache"] == "miss"
    assert "79.000" in html
    assert "85.000" not in html


def test_a_stock_count_shows_at_once_on_the_product_and_the_market(
    product, django_capture_on_commit_callbacks
):
    for path in (product.url, "/cho/"):
        get(Client(), path)
        assert get(Client(), path)[0]["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        stock_set(variant=product.variants.get(), on_hand=0)

    response, html = get(Client(), product.url)
    assert response["X-Cache"] == "miss"
    assert "tạm hết hàng" in html
    assert get(Client(), "/cho/")[0]["X-Cache"] == "miss"


def test_a_recall_shows_on_the_product_page_at_once(
    product, django_capture_on_commit_callbacks
):
    get(Client(), product.url)
    assert get(Client(), product.url)[0]["X-Cache"] == "hit"
    lot = LotFactory(
        farm=FarmFactory(seller=product.seller),
        variant=product.variants.get(),
        code="L-THUHOI",
    )

    with django_capture_on_commit_callbacks(execute=True):
        lot_recall(
            lot=lot,
            reason="Phát hiện dư lượng thuốc trừ sâu vượt mức",
            actor=operator_user(),
        )

    response, html = get(Client(), product.url)
    assert response["X-Cache"] == "miss"
    assert "L-THUHOI" in html
    assert "Phát hiện dư lượng thuốc trừ sâu vượt mức" in html


def test_english_visitors_get_the_english_page(product):
    get(Client(), product.url)
    assert get(Client(), product.url)[0]["X-Cache"] == "hit"

    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    response, html = get(english, product.url)

    assert response["X-Cache"] == "miss"
    assert '<html lang="en"' in html


def test_the_scan_page_and_the_cart_are_never_stored(product):
    lot = LotFactory(
        farm=FarmFactory(seller=product.seller),
        variant=product.variants.get(),
        serials_issued=2,
    )
    for path in ("/gio-hang/", signed_path(lot, "1")):
        for _ in range(2):
            response = Client().get(path)
            assert response.status_code == 200
            assert "X-Cache" not in response
