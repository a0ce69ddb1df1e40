"""Tickets for tourism slots: places held and sold like stock, signed
e-tickets, one check-in per ticket, refunds before the slot, no parcel."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from market.checkout.models import Order
from market.checkout.services import (
    LineRequest,
    OutOfStock,
    order_cancel_expired,
)
from market.fulfilment.models import Parcel
from market.payments.services.refunds import RefundNotAllowed, order_refund
from market.tickets.codes import (
    ticket_short_code,
    ticket_signature,
    ticket_url,
)
from market.tickets.models import Ticket, TicketStatus, TimeSlot
from market.tickets.services import (
    CheckInOutcome,
    TicketRefundRefused,
    ticket_check_in,
    ticket_refund,
)
from tests.factories import (
    PartnerAreaFactory,
    PartnerFactory,
    pay,
    slot_create,
    tickets_order,
    variant_create,
)

pytestmark = pytest.mark.django_db


def _booked(slot) -> int:
    return TimeSlot.objects.get(pk=slot.pk).booked


def test_an_order_holds_places_and_payment_makes_the_tickets_valid(
    world, customer, hanoi_address
):
    slot = world["slot"]
    order = tickets_order(slot, customer=customer, address=hanoi_address, quantity=2)

    assert _booked(slot) == 2
    assert list(order.tickets.values_list("status", flat=True)) == ["held", "held"]
    # Tickets travel nowhere: no delivery fee, no weight.
    assert (order.shipping_vnd, order.total_vnd) == (0, 300_000)
    pay(order)
    assert set(order.tickets.values_list("status", flat=True)) == {"valid"}


def test_capacity_is_never_oversold(world, customer, hanoi_address):
    slot = world["slot"]  # 3 places
    tickets_order(slot, customer=customer, address=hanoi_address, quantity=2)
    with pytest.raises(OutOfStock, match="chỉ còn 1"):
        tickets_order(slot, customer=customer, address=hanoi_address, quantity=2)
    assert _booked(slot) == 2


def test_a_ticket_needs_an_upcoming_slot_of_its_own_variant(
    world, customer, hanoi_address
):
    tour = world["tour"]
    started = slot_create(tour, in_hours=-1)
    with pytest.raises(OutOfStock):
        tickets_order(started, customer=customer, address=hanoi_address)
    with pytest.raises(OutOfStock):  # no slot chosen at all
        from market.checkout.services import order_place

        order_place(
            cart_lines=[LineRequest(tour.pk, 1)],
            customer=customer,
            address=hanoi_address,
            payment_method="vietqr",
        )
    assert not Ticket.objects.exists()


def test_an_unpaid_order_that_expires_gives_its_places_back(
    world, customer, hanoi_address
):
    slot = world["slot"]
    order = tickets_order(slot, customer=customer, address=hanoi_address, quantity=3)
    Order.objects.filter(pk=order.pk).update(
        hold_until=timezone.now() - dt.timedelta(minutes=1)
    )
    assert order_cancel_expired() == 1
    assert _booked(slot) == 0
    assert set(order.tickets.values_list("status", flat=True)) == {"cancelled"}


def _paid_ticket(world, customer, address, quantity=1):
    order = tickets_order(
        world["slot"], customer=customer, address=address, quantity=quantity
    )
    pay(order)
    return order, order.tickets.order_by("pk").first()


def test_a_ticket_checks_in_once_and_the_second_scan_says_when_and_by_whom(
    world, customer, hanoi_address
):
    _order, ticket = _paid_ticket(world, customer, hanoi_address)
    farmer = world["farmer_a"]
    farmer.first_name, farmer.last_name = "Lan", "Nguyễn"
    farmer.save()

    first = ticket_check_in(code=ticket_url(ticket_id=ticket.pk), user=farmer)
    assert first.admitted, first.message
    assert first.message.startswith("Mời vào")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.USED and ticket.checked_in_by == farmer

    second = ticket_check_in(code=ticket_short_code(ticket_id=ticket.pk), user=farmer)
    assert second.outcome == CheckInOutcome.ALREADY_USED
    used_at = timezone.localtime(ticket.checked_in_at)
    assert f"{used_at:%H:%M}" in second.message
    assert used_at.strftime("%d/%m/%Y") in second.message
    assert "Lan Nguyễn" in second.message


def test_a_forged_or_altered_code_is_refused(world, customer, hanoi_address):
    _order, ticket = _paid_ticket(world, customer, hanoi_address)
    signature = ticket_signature(ticket_id=ticket.pk)
    altered = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for code in (
        f"V{ticket.pk}/{altered}",  # one character changed
        f"V{ticket.pk + 1}/{signature}",  # another ticket's number
        f"V{ticket.pk}/AAAAAAAAAAAA",
    ):
        result = ticket_check_in(code=code, user=world["farmer_a"])
        assert result.outcome == CheckInOutcome.FORGED, code
        assert "không hợp lệ" in result.message
    unreadable = ticket_check_in(code="xin chào", user=world["farmer_a"])
    assert unreadable.outcome == CheckInOutcome.UNREADABLE
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.VALID


def test_a_code_signed_with_the_previous_key_still_checks_in(
    world, customer, hanoi_address, settings
):
    _order, ticket = _paid_ticket(world, customer, hanoi_address)
    code = ticket_short_code(ticket_id=ticket.pk)
    old_key = settings.QR_SIGNING_KEY
    settings.QR_SIGNING_KEY = "khoa-moi-2027"
    settings.QR_SIGNING_KEY_FALLBACKS = [old_key]
    assert ticket_check_in(code=code, user=world["farmer_a"]).admitted
    settings.QR_SIGNING_KEY_FALLBACKS = []
    assert ticket_check_in(code=code, user=world["farmer_a"]).outcome == "forged"


def test_another_sellers_staff_cannot_check_the_ticket_in(
    world, customer, hanoi_address
):
    _order, ticket = _paid_ticket(world, customer, hanoi_address)
    result = ticket_check_in(
        code=ticket_short_code(ticket_id=ticket.pk), user=world["farmer_b"]
    )
    assert result.outcome == CheckInOutcome.NOT_YOURS
    assert "cơ sở khác" in result.message
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.VALID


def test_an_unpaid_ticket_does_not_check_in(world, customer, hanoi_address):
    order = tickets_order(world["slot"], customer=customer, address=hanoi_address)
    ticket = order.tickets.get()
    result = ticket_check_in(
        code=ticket_short_code(ticket_id=ticket.pk), user=world["farmer_a"]
    )
    assert result.outcome == CheckInOutcome.NOT_VALID
    assert "chưa được thanh toán" in result.message


def test_a_ticket_of_a_slot_that_ended_does_not_check_in(
    world, customer, hanoi_address
):
    _order, ticket = _paid_ticket(world, customer, hanoi_address)
    past = timezone.now() - dt.timedelta(hours=3)
    TimeSlot.objects.filter(pk=world["slot"].pk).update(
        starts_at=past, ends_at=past + dt.timedelta(hours=1)
    )
    result = ticket_check_in(
        code=ticket_short_code(ticket_id=ticket.pk), user=world["farmer_a"]
    )
    assert result.outcome == CheckInOutcome.NOT_VALID
    assert "đã kết thúc" in result.message


def test_a_refund_before_the_slot_frees_the_place(world, customer, hanoi_address):
    order, ticket = _paid_ticket(world, customer, hanoi_address, quantity=2)
    slot = world["slot"]
    assert _booked(slot) == 2

    ticket_refund(ticket=ticket)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REFUNDED
    assert _booked(slot) == 1
    order.refresh_from_db()
    assert (order.status, order.refunded_vnd) == ("partly_refunded", 150_000)
    # The freed place can be sold again, up to the capacity of 3.
    tickets_order(slot, customer=customer, address=hanoi_address, quantity=2)
    assert _booked(slot) == 3
    with pytest.raises(TicketRefundRefused):
        ticket_refund(ticket=ticket)  # not twice


def test_a_full_order_refund_frees_every_place(world, customer, hanoi_address):
    order, _ticket = _paid_ticket(world, customer, hanoi_address, quantity=2)
    order_refund(order=order, amount_vnd=order.total_vnd)
    assert _booked(world["slot"]) == 0
    assert set(order.tickets.values_list("status", flat=True)) == {"refunded"}


def test_after_the_slot_starts_tickets_are_not_refunded(world, customer, hanoi_address):
    order, ticket = _paid_ticket(world, customer, hanoi_address)
    TimeSlot.objects.filter(pk=world["slot"].pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    with pytest.raises(TicketRefundRefused, match="đã bắt đầu"):
        ticket_refund(ticket=ticket)
    with pytest.raises(RefundNotAllowed, match="không hoàn tiền được"):
        order_refund(order=order, amount_vnd=order.total_vnd)
    order.refresh_from_db()
    assert order.refunded_vnd == 0
    assert _booked(world["slot"]) == 1


def test_a_ticket_only_order_gets_no_parcel_and_a_mixed_one_ships_only_goods(
    world, customer, hanoi_address, django_capture_on_commit_callbacks
):
    seller = world["seller_a"]
    partner = PartnerFactory(code="bd-ben-tre", name="Bưu điện Bến Tre")
    PartnerAreaFactory(partner=partner, province_code=seller.province_code)
    slot = world["slot"]
    with django_capture_on_commit_callbacks(execute=True):
        tickets_only = pay(
            tickets_order(slot, customer=customer, address=hanoi_address)
        )
    assert not Parcel.objects.filter(shipment__order=tickets_only).exists()

    honey = variant_create(seller, title="Mật ong hoa dừa", weight_g=700)
    with django_capture_on_commit_callbacks(execute=True):
        mixed = pay(
            tickets_order(
                slot,
                customer=customer,
                address=hanoi_address,
                extra=[LineRequest(honey.pk, 1)],
            )
        )
    parcel = Parcel.objects.get(shipment__order=mixed)
    assert parcel.shipment.weight_g == 700  # the ticket weighs nothing
    assert mixed.shipping_vnd > 0


def test_the_eticket_qr_decodes_to_its_signed_link(
    client, world, customer, hanoi_address
):
    order, ticket = _paid_ticket(world, customer, hanoi_address)
    url = ticket_url(ticket_id=ticket.pk)
    path = url.removeprefix(settings_site_url())

    page = client.get(path)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Đi thuyền thúng rừng dừa" in html and order.customer_name in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    decoded = zxingcpp.read_barcodes(_svg_to_image(svg))
    assert [code.text for code in decoded] == [url]
    # A changed signature opens nothing, like a ticket that does not exist.
    assert client.get(path[:-3] + "xx/").status_code == 404


def test_the_order_page_and_the_paid_email_link_the_etickets(
    client,
    world,
    customer,
    hanoi_address,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    order = tickets_order(
        world["slot"], customer=customer, address=hanoi_address, quantity=2
    )
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    from market.checkout.selectors import order_url

    html = client.get(order_url(order)).content.decode()
    shopper_mail = [m for m in mailoutbox if order.email in m.to][-1]
    for ticket in order.tickets.all():
        assert (
            reverse(
                "tickets:ticket",
                args=[ticket.pk, ticket_signature(ticket_id=ticket.pk)],
            )
            in html
        )
        assert ticket_url(ticket_id=ticket.pk) in shopper_mail.body


def settings_site_url() -> str:
    from django.conf import settings

    return settings.SITE_URL


def _svg_to_image(svg: str) -> Image.Image:
    """Rasterise qrcode's one-path SVG (moves and unit squares) by hand."""
    size = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    width = float(size.group(1)) if size else 37.0
    scale = 8
    path = re.search(r'\sd="([^"]+)"', svg).group(1)
    image = Image.new("L", (int(width * scale) + 1, int(width * scale) + 1), 255)
    pixels = image.load()
    for x, y in re.findall(r"M([\d.]+),([\d.]+)", path):
        x0, y0 = int(float(x) * scale), int(float(y) * scale)
        for dx in range(scale):
            for dy in range(scale):
                pixels[x0 + dx, y0 + dy] = 0
    return image
