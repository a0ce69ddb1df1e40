import copy
import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from market.checkout.api import ORDER_EXAMPLE
from market.checkout.models import Order
from market.models import Stock
from tests.factories import HA_NOI, seller_create, variant_create

EXAMPLE_SKU = ORDER_EXAMPLE["lines"][0]["sku"]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def tea(home_page, tariffs):
    seller = seller_create(home_page, province_code=HA_NOI, name="HTX Chè Tân Cương")
    return variant_create(
        seller,
        title="Chè Tân Cương",
        unit="gói",
        price_vnd=95_000,
        weight_g=200,
        on_hand=5,
        sku=EXAMPLE_SKU,
    )


def documented_example(api) -> dict:
    response = api.get("/api/v1/openapi.json", {"format": "json"})
    schema = json.loads(response.content)
    body = schema["paths"]["/api/v1/orders/"]["post"]["requestBody"]
    examples = body["content"]["application/json"]["examples"]
    (example,) = examples.values()
    return example["value"]


def test_the_documented_example_places_an_order(api, tea):
    example = documented_example(api)
    response = api.post("/api/v1/orders/", example, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    order = Order.objects.get(number=data["number"])
    assert data["total_vnd"] == order.total_vnd == 2 * 95_000 + 20_000
    assert data["access_token"] == order.access_token
    assert data["shipments"][0]["lines"][0]["sku"] == EXAMPLE_SKU
    assert Stock.objects.get(pk=tea.pk).allocated == 2
    if data["payment"] is not None:  # market.payments answers with the VietQR
        assert data["payment"]["method"] == "vietqr"
        assert data["payment"]["amount_vnd"] == order.total_vnd


def test_short_stock_is_a_409_in_vietnamese(api, tea):
    body = copy.deepcopy(ORDER_EXAMPLE)
    body["lines"][0]["quantity"] = 6
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 409
    assert "chỉ còn 5 gói, bạn đã chọn 6" in response.json()["detail"]
    assert Stock.objects.get(pk=tea.pk).allocated == 0


def test_field_errors_are_a_400_by_field(api, tea):
    body = copy.deepcopy(ORDER_EXAMPLE)
    body["lines"][0]["sku"] = "KHONG-CO"
    body["customer"]["phone"] = "12345"
    body["address"]["ward_code"] = 26882  # a ward of Hồ Chí Minh, not Hà Nội
    body["payment_method"] = "cod"
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"lines", "customer", "address", "payment_method"}
    assert "KHONG-CO" in json.dumps(errors, ensure_ascii=False)
    assert Order.objects.count() == 0


def test_reading_an_order_needs_its_token(api, tea):
    created = api.post("/api/v1/orders/", ORDER_EXAMPLE, format="json").json()
    url = f"/api/v1/orders/{created['number']}/"
    assert api.get(url).status_code == 404
    assert api.get(url, {"token": "x" * 43}).status_code == 404
    found = api.get(url, {"token": created["access_token"]})
    assert found.status_code == 200
    assert found.json()["status"] == "pending_payment"
    assert "access_token" not in found.json()


def test_each_client_is_rate_limited(api, tea):
    # DRF reads the rates once at import; the setting is ORDERS_RATE_LIMIT.
    rates = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {"orders": "3/minute"}
    try:
        bad = {"lines": []}
        codes = [
            api.post("/api/v1/orders/", bad, format="json").status_code
            for _ in range(4)
        ]
        other = APIClient(REMOTE_ADDR="10.0.0.9")
        other_code = other.post("/api/v1/orders/", bad, format="json").status_code
    finally:
        ScopedRateThrottle.THROTTLE_RATES = rates
    assert codes == [400, 400, 400, 429]
    assert other_code == 400


def test_a_rotating_x_forwarded_for_does_not_get_round_the_limit(api, tea):
    # Issue 19: with no proxy count set the raw header was trusted.
    rates = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {"orders": "30/minute"}
    try:
        codes = [
            api.post(
                "/api/v1/orders/",
                {"lines": []},
                format="json",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            ).status_code
            for n in range(35)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = rates
    assert codes.count(429) == 5
