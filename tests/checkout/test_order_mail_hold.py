"""Issue #13 item 13: the seeded order e-mails said "Hàng được giữ cho bạn
đến ." — the "placed" e-mail was rendered after payment had cleared the
hold. It now carries the hold as it was when the order was placed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from market.checkout.services import LineRequest, order_mark_paid, order_place
from tests.factories import seller_create, variant_create

pytestmark = pytest.mark.django_db
HOLD = re.compile(r"Hàng được giữ cho bạn đến (\d\d:\d\d \d\d/\d\d/\d{4})\. ")


def place(customer, address, variant):
    return order_place(
        cart_lines=[LineRequest(variant.pk, 1)],
        customer=customer,
        address=address,
        payment_method="vietqr",
    )


def placed_mail(order):
    (message,) = [m for m in mail.outbox if "đã nhận đơn" in m.subject]
    assert order.number in message.subject
    return message.body


def test_placed_mail_names_the_hold_time_in_vietnam(
    home_page, tariffs, customer, hanoi_address, django_capture_on_commit_callbacks
):
    variant = variant_create(seller_create(home_page))
    with django_capture_on_commit_callbacks(execute=True):
        order = place(customer, hanoi_address, variant)

    body = placed_mail(order)
    shown = HOLD.search(body)
    assert shown, body
    expected = timezone.localtime(order.hold_until).strftime("%H:%M %d/%m/%Y")
    assert shown.group(1) == expected
    assert "đến ." not in body


def test_placed_mail_sent_after_payment_keeps_the_hold_and_never_a_blank(
    home_page, tariffs, customer, hanoi_address, django_capture_on_commit_callbacks
):
    # What seed_demo does: place and pay at once, the e-mail task running
    # after both (a queued worker, or the callbacks run together here).
    variant = variant_create(seller_create(home_page))
    with django_capture_on_commit_callbacks(execute=True):
        order = place(customer, hanoi_address, variant)
        order_mark_paid(order=order, paid_at=timezone.now(), note="Demo")

    body = placed_mail(order)
    assert "đến ." not in body
    assert "Đơn đã được thanh toán, bạn không cần làm gì thêm." in body
    assert "Hãy thanh toán trước giờ đó" not in body
