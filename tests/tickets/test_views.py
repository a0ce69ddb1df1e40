"""The pages of tickets without JavaScript: the product page's slot picker
and cart, the check-in form, the operator's ticket refund, the slot editor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from market.tickets.codes import ticket_short_code
from market.tickets.models import TimeSlot
from tests.factories import (
    UserFactory,
    operator_create,
    pay,
    slot_create,
    tickets_order,
    tour_create,
)

pytestmark = pytest.mark.django_db


def test_the_product_page_offers_slots_and_the_cart_keeps_the_chosen_one(client, world):
    slot = world["slot"]
    slot_create(world["tour"], in_hours=-2)  # started: not offered
    page = client.get(slot.variant.product.url).content.decode()
    assert page.count('name="slot"') == 1
    assert "còn 3 chỗ" in page

    answer = client.post(
        reverse("checkout:cart_add"),
        {"slot": slot.pk, "quantity": 2, "next": "/gio-hang/"},
    )
    assert answer.status_code == 302
    cart = client.get("/gio-hang/").content.decode()
    assert timezone.localtime(slot.starts_at).strftime("%d/%m/%Y") in cart
    assert "Đi thuyền thúng rừng dừa" in cart

    too_many = client.post(
        reverse("checkout:cart_add"), {"slot": slot.pk, "quantity": 2}, follow=True
    )
    assert "chỉ còn 3" in too_many.content.decode()


def test_check_in_works_by_typing_the_code(client, world, customer, hanoi_address):
    order = tickets_order(world["slot"], customer=customer, address=hanoi_address)
    pay(order)
    ticket = order.tickets.get()
    url = reverse("tickets_check_in")

    assert "/admin/login/" in client.get(url)["Location"]
    client.force_login(UserFactory(username="khach-mua", is_staff=False))
    assert client.get(url).status_code in (302, 403)

    client.force_login(world["farmer_a"])
    form = client.get(url).content.decode()
    assert 'name="code"' in form and 'for="code"' in form
    first = client.post(url, {"code": ticket_short_code(ticket_id=ticket.pk)})
    assert 'data-outcome="admitted"' in first.content.decode()
    second = client.post(url, {"code": ticket_short_code(ticket_id=ticket.pk)})
    assert "Vé đã dùng lúc" in second.content.decode()

    client.force_login(world["farmer_b"])
    other = client.post(url, {"code": ticket_short_code(ticket_id=ticket.pk)})
    assert 'data-outcome="not_yours"' in other.content.decode()


def test_the_operator_refunds_a_ticket_and_the_place_is_free_again(
    client, world, customer, hanoi_address
):
    order = tickets_order(
        world["slot"], customer=customer, address=hanoi_address, quantity=2
    )
    pay(order)
    ticket = order.tickets.first()
    url = reverse("tickets_refund", args=[ticket.pk])

    client.force_login(world["farmer_b"])
    assert client.post(url).status_code == 404
    client.force_login(world["farmer_a"])
    # Wagtail answers "permission denied" with a redirect to the dashboard.
    assert client.post(url)["Location"] == "/admin/"
    ticket.refresh_from_db()
    assert ticket.status == "valid"

    client.force_login(operator_create("vanhanh-ve"))
    assert client.post(url).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "refunded"
    assert TimeSlot.objects.get(pk=world["slot"].pk).booked == 1

    TimeSlot.objects.filter(pk=world["slot"].pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    late = order.tickets.exclude(pk=ticket.pk).get()
    page = client.post(reverse("tickets_refund", args=[late.pk]))
    assert "đã bắt đầu" in page.content.decode()


def test_a_seller_adds_slots_only_to_their_own_tours(
    client, world, django_capture_on_commit_callbacks
):
    other_tour = tour_create(world["seller_b"], title="Thăm làng mắm")
    client.force_login(world["farmer_a"])
    add = reverse("tickets_timeslot:add")
    form = client.get(add).content.decode()
    assert "Đi thuyền thúng rừng dừa" in form and "Thăm làng mắm" not in form

    starts = timezone.localtime() + dt.timedelta(days=3)
    fields = {
        "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (starts + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "capacity": 12,
    }
    refused = client.post(add, {**fields, "variant": other_tour.pk})
    assert refused.status_code == 200
    assert not TimeSlot.objects.filter(variant=other_tour).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add, {**fields, "variant": world["tour"].pk})
    assert TimeSlot.objects.filter(variant=world["tour"], capacity=12).exists()
    world["tour"].product.refresh_from_db()
    assert world["tour"].product.in_stock
