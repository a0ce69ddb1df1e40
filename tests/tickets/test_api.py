"""Tourism tickets through the REST API: the products API lists a tour's
upcoming slots, the orders API books one of them by its id."""

import copy
import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from market.checkout.api import ORDER_EXAMPLE
from market.checkout.models import Order
from market.tickets.models import Ticket, TicketStatus
from tests.factories import slot_create, variant_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    cache.clear()  # the orders throttle counts per client
    yield APIClient()
    cache.clear()


def _order_body(*lines):
    body = copy.deepcopy(ORDER_EXAMPLE)
    body["lines"] = list(lines)
    return body


def test_the_products_api_lists_a_tours_upcoming_slots(api, world):
    tour, slot = world["tour"], world["slot"]
    later = slot_create(tour, capacity=5, in_hours=48)
    slot_create(tour, in_hours=-2)  # started: not offered
    goods = variant_create(world["seller_a"], title="Mắm tôm", on_hand=3)

    shown = api.get(f"/api/v1/products/{tour.product_id}/").json()
    assert [(s["id"], s["sku"], s["free"]) for s in shown["time_slots"]] == [
        (slot.pk, tour.sku, 3),
        (later.pk, tour.sku, 5),
    ]
    starts = dt.datetime.fromisoformat(shown["time_slots"][0]["starts_at"])
    assert starts == slot.starts_at
    assert api.get(f"/api/v1/products/{goods.product_id}/").json()["time_slots"] is None


def test_a_ticket_is_booked_through_the_orders_api_by_its_slot(api, world):
    tour, slot = world["tour"], world["slot"]
    listed = api.get(f"/api/v1/products/{tour.product_id}/").json()["time_slots"]

    response = api.post(
        "/api/v1/orders/",
        _order_body({"sku": tour.sku, "quantity": 2, "slot": listed[0]["id"]}),
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    order = Order.objects.get(number=data["number"])
    (line,) = data["shipments"][0]["lines"]
    assert line["slot"]["id"] == slot.pk
    assert data["shipments"][0]["shipping_vnd"] == 0  # nothing to deliver
    tickets = Ticket.objects.filter(order=order)
    assert [t.status for t in tickets] == [TicketStatus.HELD] * 2
    slot.refresh_from_db()
    assert slot.free == 1
    # Reading it back shows the same slot.
    again = api.get(
        f"/api/v1/orders/{order.number}/", {"token": data["access_token"]}
    ).json()
    assert again["shipments"][0]["lines"][0]["slot"]["id"] == slot.pk


def test_a_ticket_without_a_usable_slot_is_a_400_that_says_what_to_do(api, world):
    tour = world["tour"]
    other_tour_slot = slot_create(
        variant_create(world["seller_b"], title="Vé khác", on_hand=0)
    )
    goods = variant_create(world["seller_a"], title="Mắm tôm", on_hand=3)
    started = slot_create(tour, in_hours=-1)

    cases = {
        "no slot": {"sku": tour.sku, "quantity": 1},
        "another variant's slot": {
            "sku": tour.sku,
            "quantity": 1,
            "slot": other_tour_slot.pk,
        },
        "a started slot": {"sku": tour.sku, "quantity": 1, "slot": started.pk},
        "a slot on goods": {"sku": goods.sku, "quantity": 1, "slot": world["slot"].pk},
    }
    for case, line in cases.items():
        response = api.post("/api/v1/orders/", _order_body(line), format="json")
        assert response.status_code == 400, case
        message = " ".join(response.json()["lines"])
        assert "slot" in message, (case, message)
    assert Order.objects.count() == 0
    world["slot"].refresh_from_db()
    assert world["slot"].booked == 0
