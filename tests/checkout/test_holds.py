"""Unpaid orders cannot lock a product up (attack review, issue 19 item 4).

An order holds stock before any money moves. One order, and one client's
unpaid orders together, hold at most ORDER_MAX_UNITS_PER_VARIANT units of a
variant; one client has at most ORDER_MAX_OPEN_PER_CLIENT unpaid orders; an
anonymous order holds for less until its payment starts.
"""

import copy
import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from market.checkout.api import ORDER_EXAMPLE
from market.checkout.models import Order
from market.checkout.selectors import order_url
from market.models import Stock
from tests.factories import (
    HA_NOI,
    HANOI_WARD,
    seller_create,
    user_create,
    variant_create,
)


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sauce(home_page, tariffs):
    seller = seller_create(home_page, province_code=HA_NOI, name="Hộ Mắm Cửa Hội")
    return variant_create(
        seller, title="Nước mắm", unit="chai", price_vnd=85_000, on_hand=30
    )


def order_body(variant, quantity: int) -> dict:
    body = copy.deepcopy(ORDER_EXAMPLE)
    body["lines"] = [{"sku": variant.sku, "quantity": quantity}]
    return body


def from_address(address: str) -> APIClient:
    return APIClient(REMOTE_ADDR=address)


def close(a: dt.datetime, b: dt.datetime) -> bool:
    return abs(a - b) < dt.timedelta(seconds=5)


def place_from_cart(client: Client) -> str:
    """Quote, then place with the total shown; returns the page."""
    form = {
        "customer_name": "Lan",
        "phone": "0912345678",
        "province_code": HA_NOI,
        "ward_code": HANOI_WARD,
        "address_line": "12 Đội Cấn",
        "payment_method": "vietqr",
    }
    quote = client.post("/thanh-toan/", {**form, "action": "quote"}).content.decode()
    total = re.search(r'name="quoted_total" value="(\d+)"', quote).group(1)
    placed = client.post(
        "/thanh-toan/", {**form, "action": "place", "quoted_total": total}, follow=True
    )
    return placed.content.decode()


def test_one_anonymous_order_for_the_whole_stock_is_refused_and_a_shopper_still_buys(
    sauce,
):
    attacker = from_address("203.0.113.7")
    response = attacker.post("/api/v1/orders/", order_body(sauce, 30), format="json")

    assert response.status_code == 400
    assert "mỗi đơn đặt được tối đa 20 chai" in response.json()["detail"]
    assert Stock.objects.get(pk=sauce.pk).allocated == 0

    shopper = from_address("198.51.100.20")
    bought = shopper.post("/api/v1/orders/", order_body(sauce, 2), format="json")
    assert bought.status_code == 201, bought.content


def test_one_client_cannot_pile_up_units_over_several_orders(sauce):
    attacker = from_address("203.0.113.7")
    first = attacker.post("/api/v1/orders/", order_body(sauce, 15), format="json")
    second = attacker.post("/api/v1/orders/", order_body(sauce, 10), format="json")

    assert first.status_code == 201
    assert second.status_code == 400
    assert "bạn đã giữ 15 chai trong đơn chưa thanh toán" in second.json()["detail"]
    assert Stock.objects.get(pk=sauce.pk).allocated == 15

    shopper = from_address("198.51.100.20")
    bought = shopper.post("/api/v1/orders/", order_body(sauce, 10), format="json")
    assert bought.status_code == 201, bought.content
    assert Stock.objects.get(pk=sauce.pk).allocated == 25


def test_one_client_has_a_few_unpaid_orders_at_most(sauce):
    attacker = from_address("203.0.113.7")
    answers = [
        attacker.post("/api/v1/orders/", order_body(sauce, 1), format="json")
        for _ in range(settings.ORDER_MAX_OPEN_PER_CLIENT + 1)
    ]

    assert [a.status_code for a in answers] == [201, 201, 201, 400]
    assert "Bạn đang có 3 đơn chưa thanh toán" in answers[-1].json()["detail"]
    # Orders past their hold (not yet swept by the expiry job) no longer count.
    Order.objects.update(hold_until=timezone.now() - dt.timedelta(minutes=1))
    again = attacker.post("/api/v1/orders/", order_body(sauce, 1), format="json")
    assert again.status_code == 201


def test_the_web_checkout_counts_the_signed_in_shopper_and_says_what_to_do(sauce):
    shopper = Client()
    shopper.force_login(user_create("lan"))
    shopper.post("/gio-hang/them/", {"variant": sauce.pk, "quantity": 18})
    place_from_cart(shopper)
    assert Order.objects.count() == 1

    shopper.post("/gio-hang/them/", {"variant": sauce.pk, "quantity": 5})
    page = place_from_cart(shopper)
    assert "bạn đã giữ 18 chai trong đơn chưa thanh toán" in page
    assert Order.objects.count() == 1


def test_an_anonymous_order_holds_briefly_until_the_shopper_opens_it(sauce):
    response = from_address("203.0.113.7").post(
        "/api/v1/orders/", order_body(sauce, 2), format="json"
    )
    order = Order.objects.get(number=response.json()["number"])
    short = dt.timedelta(minutes=settings.ORDER_HOLD_MINUTES_ANONYMOUS)
    assert close(order.hold_until, order.created_at + short)
    assert short < dt.timedelta(minutes=settings.ORDER_HOLD_MINUTES)

    Client().get(order_url(order))
    order.refresh_from_db()
    full = order.created_at + dt.timedelta(minutes=settings.ORDER_HOLD_MINUTES)
    assert order.hold_until == full

    Client().get(order_url(order))  # opening it again holds no longer
    order.refresh_from_db()
    assert order.hold_until == full


def test_a_signed_in_shoppers_order_holds_the_full_time(sauce):
    api = APIClient()
    api.force_authenticate(user_create("mai"))
    response = api.post("/api/v1/orders/", order_body(sauce, 2), format="json")
    order = Order.objects.get(number=response.json()["number"])
    full = dt.timedelta(minutes=settings.ORDER_HOLD_MINUTES)
    assert close(order.hold_until, order.created_at + full)
