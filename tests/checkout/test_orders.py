import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from market import signals
from market.checkout.models import (
    ORDER_TRANSITIONS,
    Order,
    OrderStatus,
    ShipmentStatus,
    ShippingZone,
)
from market.checkout.services import (
    InvalidOrder,
    InvalidTransition,
    LineRequest,
    OrderNotPayable,
    OutOfStock,
    RefundTooLarge,
    order_cancel_expired,
    order_mark_paid,
    order_place,
    order_record_refund,
    order_set_status,
    shipment_mark_shipped,
    shipment_set_status,
)
from market.checkout.services.numbers import ALPHABET
from market.models import Stock
from tests.factories import HCMC, NINH_BINH, seller_create, variant_create


@pytest.fixture
def two_sellers(home_page, tariffs):
    hanoi = seller_create(home_page, province_code=1, name="HTX Chè Thái")
    saigon = seller_create(home_page, province_code=HCMC, name="Hộ Mắm Cần Giờ")
    tea = variant_create(
        hanoi, title="Chè búp", unit="gói", price_vnd=120_000, weight_g=300, on_hand=5
    )
    sauce = variant_create(
        saigon,
        title="Nước mắm",
        unit="chai",
        price_vnd=85_000,
        weight_g=900,
        on_hand=3,
    )
    return tea, sauce


def place(customer, address, *lines, method="vietqr"):
    return order_place(
        cart_lines=[LineRequest(v.pk, q) for v, q in lines],
        customer=customer,
        address=address,
        payment_method=method,
    )


def stock_of(variant):
    return Stock.objects.get(pk=variant.pk)


def test_placing_splits_per_seller_and_allocates_stock(
    two_sellers, customer, hanoi_address, django_capture_on_commit_callbacks
):
    tea, sauce = two_sellers
    with django_capture_on_commit_callbacks(execute=True):
        order = place(customer, hanoi_address, (tea, 2), (sauce, 3))

    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.number.startswith("NQ") and len(order.number) == 8
    assert set(order.number[2:]) <= set(ALPHABET)
    assert len(order.access_token) >= 43
    assert order.phone == "0912345678"
    shipments = {s.seller.legal_name: s for s in order.shipments.all()}
    tea_parcel, sauce_parcel = shipments["HTX Chè Thái"], shipments["Hộ Mắm Cần Giờ"]
    assert (tea_parcel.zone, tea_parcel.weight_g, tea_parcel.shipping_vnd) == (
        ShippingZone.SAME_PROVINCE,
        600,
        20_000,
    )
    assert (sauce_parcel.zone, sauce_parcel.weight_g, sauce_parcel.shipping_vnd) == (
        ShippingZone.OTHER,
        2700,
        52_000,
    )
    assert order.subtotal_vnd == 2 * 120_000 + 3 * 85_000
    assert order.total_vnd == order.subtotal_vnd + 72_000
    assert [(s.on_hand, s.allocated) for s in (stock_of(tea), stock_of(sauce))] == [
        (5, 2),
        (3, 3),
    ]
    # Anonymous, no payment started yet: the short hold (test_holds.py).
    hold = dt.timedelta(minutes=settings.ORDER_HOLD_MINUTES_ANONYMOUS)
    remaining = timezone.now() + hold - order.hold_until
    assert dt.timedelta(0) <= remaining < dt.timedelta(minutes=1)
    assert [e.to_status for e in order.events.all()] == [OrderStatus.PENDING_PAYMENT]
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert f"?t={order.access_token}" in mail.outbox[0].body
    # The product listing learns the sauce is sold out (all units held).
    sauce.product.refresh_from_db()
    assert sauce.product.in_stock is False


def test_lines_keep_the_price_and_name_of_the_moment(
    two_sellers, customer, hanoi_address
):
    tea, _ = two_sellers
    order = place(customer, hanoi_address, (tea, 1))
    tea.price_vnd = 999_000
    tea.save()
    line = order.lines.get()
    assert (line.unit_price_vnd, line.product_title, line.sku) == (
        120_000,
        "Chè búp",
        tea.sku,
    )


def test_asking_for_more_than_is_left_allocates_nothing(
    two_sellers, customer, hanoi_address
):
    tea, sauce = two_sellers
    with pytest.raises(OutOfStock) as error:
        place(customer, hanoi_address, (tea, 1), (sauce, 5))
    assert "Nước mắm" in str(error.value)
    assert "chỉ còn 3 chai, bạn đã chọn 5" in str(error.value)
    assert error.value.shortages[0].available == 3
    assert stock_of(tea).allocated == 0
    assert Order.objects.count() == 0


def test_units_held_by_another_order_are_not_available(
    two_sellers, customer, hanoi_address
):
    _, sauce = two_sellers
    place(customer, hanoi_address, (sauce, 2))
    with pytest.raises(OutOfStock, match="chỉ còn 1 chai"):
        place(customer, hanoi_address, (sauce, 2))


def test_bad_requests_are_refused_before_anything_is_held(
    two_sellers, customer, hanoi_address
):
    tea, _ = two_sellers
    with pytest.raises(InvalidOrder, match="thẻ hoặc VietQR"):
        place(customer, hanoi_address, (tea, 1), method="cod")
    with pytest.raises(InvalidOrder, match="trống"):
        place(customer, hanoi_address)
    wrong_ward = hanoi_address.__class__(NINH_BINH, hanoi_address.ward_code, "x")
    with pytest.raises(InvalidOrder, match="Phường/xã"):
        place(customer, wrong_ward, (tea, 1))
    assert stock_of(tea).allocated == 0


def test_every_status_move_outside_the_table_is_refused(
    two_sellers, customer, hanoi_address
):
    tea, _ = two_sellers
    order = place(customer, hanoi_address, (tea, 1))
    for to_status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.PACKING):
        assert to_status not in ORDER_TRANSITIONS[OrderStatus.PENDING_PAYMENT]
        with pytest.raises(InvalidTransition):
            order_set_status(order=order, to_status=to_status)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.events.count() == 1


def test_paying_is_idempotent_and_readies_every_shipment(
    two_sellers, customer, hanoi_address, django_capture_on_commit_callbacks
):
    tea, sauce = two_sellers
    order = place(customer, hanoi_address, (tea, 1), (sauce, 1))
    heard = []

    def receiver(sender, order, **kwargs):
        heard.append(order.number)

    signals.order_paid.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            order_mark_paid(order=order, paid_at=timezone.now())
            order_mark_paid(order=order, paid_at=timezone.now())
    finally:
        signals.order_paid.disconnect(receiver)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.hold_until is None
    assert heard == [order.number]
    assert set(order.shipments.values_list("status", flat=True)) == {
        ShipmentStatus.TO_PACK
    }
    assert [e.to_status for e in order.events.all()] == ["pending_payment", "paid"]
    shopper_mail = [m.subject for m in mail.outbox if order.email in m.to]
    assert shopper_mail[-1].endswith("đã thanh toán")


def test_hold_expiry_cancels_and_releases_but_spares_paid_orders(
    two_sellers, customer, hanoi_address
):
    tea, sauce = two_sellers
    unpaid = place(customer, hanoi_address, (tea, 2))
    paid = place(customer, hanoi_address, (sauce, 1))
    order_mark_paid(order=paid, paid_at=timezone.now())

    assert order_cancel_expired(now=timezone.now()) == 0
    later = timezone.now() + dt.timedelta(minutes=16)
    assert order_cancel_expired(now=later) == 1
    assert order_cancel_expired(now=later) == 0

    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert unpaid.status == OrderStatus.CANCELLED
    assert paid.status == OrderStatus.PAID
    assert stock_of(tea).allocated == 0
    assert stock_of(sauce).allocated == 1
    assert set(unpaid.shipments.values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(OrderNotPayable):
        order_mark_paid(order=unpaid, paid_at=timezone.now())


def test_shipping_consumes_stock_and_moves_the_order_along(
    two_sellers, customer, hanoi_address, django_capture_on_commit_callbacks
):
    tea, sauce = two_sellers
    order = place(customer, hanoi_address, (tea, 2), (sauce, 1))
    tea_parcel = order.shipments.get(seller=tea.product.seller)
    with pytest.raises(InvalidTransition):
        shipment_mark_shipped(shipment=tea_parcel)  # not paid yet
    order_mark_paid(order=order, paid_at=timezone.now())

    shipment_set_status(shipment=tea_parcel, to_status=ShipmentStatus.PACKED)
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKING

    shipment_mark_shipped(shipment=tea_parcel)
    assert (stock_of(tea).on_hand, stock_of(tea).allocated) == (3, 0)
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKING  # the sauce is still here

    sauce_parcel = order.shipments.get(seller=sauce.product.seller)
    with django_capture_on_commit_callbacks(execute=True):
        shipment_mark_shipped(shipment=sauce_parcel)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    for parcel in (tea_parcel, sauce_parcel):
        shipment_set_status(shipment=parcel, to_status=ShipmentStatus.DELIVERED)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert mail.outbox[-1].subject.endswith("đã gửi đi")
    assert "Nước mắm" in mail.outbox[-1].body


def test_refunds_add_up_and_a_full_one_releases_unsent_goods(
    two_sellers, customer, hanoi_address, django_capture_on_commit_callbacks
):
    tea, _ = two_sellers
    order = place(customer, hanoi_address, (tea, 2))
    order_mark_paid(order=order, paid_at=timezone.now())
    heard = []

    def receiver(sender, amount_vnd, **kwargs):
        heard.append(amount_vnd)

    signals.order_refunded.connect(receiver)
    with django_capture_on_commit_callbacks(execute=True):
        order_record_refund(order=order, amount_vnd=50_000)
    order.refresh_from_db()
    assert (order.status, order.refunded_vnd) == (OrderStatus.PARTLY_REFUNDED, 50_000)
    with pytest.raises(RefundTooLarge):
        order_record_refund(order=order, amount_vnd=order.total_vnd)

    with django_capture_on_commit_callbacks(execute=True):
        order_record_refund(order=order, amount_vnd=order.total_vnd - 50_000)
    signals.order_refunded.disconnect(receiver)
    order.refresh_from_db()
    assert (order.status, order.refunded_vnd) == (OrderStatus.REFUNDED, order.total_vnd)
    assert heard == [50_000, order.total_vnd - 50_000]
    assert stock_of(tea).allocated == 0 and stock_of(tea).on_hand == 5
    assert order.shipments.get().status == ShipmentStatus.CANCELLED


def test_the_cron_command_and_the_task_release_expired_holds(
    two_sellers, customer, hanoi_address
):
    from django.core.management import call_command

    from market.checkout.tasks import cancel_expired_orders

    tea, sauce = two_sellers
    first = place(customer, hanoi_address, (tea, 2))
    second = place(customer, hanoi_address, (sauce, 1))
    past = timezone.now() - dt.timedelta(minutes=1)
    Order.objects.filter(pk=first.pk).update(hold_until=past)

    call_command("cancel_expired_orders")
    assert stock_of(tea).allocated == 0
    assert stock_of(sauce).allocated == 1

    Order.objects.filter(pk=second.pk).update(hold_until=past)
    result = cancel_expired_orders.enqueue()
    assert result.return_value == 1
    assert stock_of(sauce).allocated == 0
