"""Recalling a lot: red at once, recorded in the history, shoppers told."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from market.checkout.models import Order, OrderLine, Shipment
from market.services.sellers import OPERATOR_GROUP_NAME
from tests.traceability.factories import LotFactory, UserFactory
from tests.traceability.scan_helpers import signed_path
from traceability.models import LotAllocation, LotEvent
from traceability.services.events import lot_chain_check
from traceability.services.recalls import lot_recall, lot_recall_recipients

pytestmark = pytest.mark.django_db

REASON = "Phát hiện dư lượng thuốc trừ sâu vượt mức cho phép"
_n = itertools.count(1)


def operator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=OPERATOR_GROUP_NAME)[0])
    return user


def seller_staff(lot):
    user = UserFactory()
    lot.farm.seller.users.add(user)
    return user


def order_packed_from(lot, *, email: str, quantity: int = 2) -> Order:
    n = next(_n)
    order = Order.objects.create(
        number=f"NQ{n:06d}",
        access_token=f"token-{n}",
        customer_name=f"Chị Lan {n}",
        phone="0912000111",
        email=email,
        payment_method="card",
        subtotal_vnd=300_000,
        shipping_vnd=30_000,
        total_vnd=330_000,
        province_code=1,
    )
    shipment = Shipment.objects.create(
        order=order,
        seller=lot.farm.seller,
        zone="same",
        weight_g=1000,
        subtotal_vnd=300_000,
        shipping_vnd=30_000,
    )
    line = OrderLine.objects.create(
        order=order,
        shipment=shipment,
        variant=lot.variant,
        sku=lot.variant.sku,
        product_title=lot.variant.product.title,
        variant_label=lot.variant.label,
        unit_price_vnd=150_000,
        quantity=quantity,
        weight_g=500,
    )
    LotAllocation.objects.create(lot=lot, order_line=line, quantity=quantity)
    return order


def test_operator_recall_turns_the_scan_page_red_at_once(client):
    lot = LotFactory(serials_issued=5)
    path = signed_path(lot, "1")
    assert 'data-verdict="genuine"' in client.get(path).content.decode()

    lot_recall(lot=lot, reason=REASON, actor=operator())

    html = client.get(path).content.decode()
    assert 'data-verdict="recalled"' in html
    assert REASON in html
    lot.refresh_from_db()
    assert (lot.status, lot.recall_reason) == ("recalled", REASON)
    assert lot.recalled_at is not None


def test_recall_is_a_cbv_event_at_the_end_of_an_intact_chain():
    lot = LotFactory()

    lot_recall(lot=lot, reason=REASON, actor=operator())

    event = LotEvent.objects.get(lot=lot)
    assert (event.kind, event.biz_step, event.disposition) == (
        "recall",
        "holding",
        "recalled",
    )
    assert event.data["reason"] == REASON
    assert lot_chain_check(lot=lot) is None


def test_shoppers_packed_from_the_lot_are_emailed_once_each_after_commit(
    django_capture_on_commit_callbacks,
):
    lot = LotFactory()
    other_lot = LotFactory()
    order_packed_from(lot, email="lan@example.vn")
    order_packed_from(lot, email="minh@example.vn")
    order_packed_from(lot, email="")  # no e-mail: nobody to write to
    order_packed_from(other_lot, email="khac@example.vn")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lot_recall(lot=lot, reason=REASON, actor=seller_staff(lot))
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == ["lan@example.vn", "minh@example.vn"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    body = mail.outbox[0].body
    assert REASON in body and lot.code in body and "đừng dùng" in body.lower()


def test_recipients_count_an_order_once_even_with_two_lines_from_the_lot():
    lot = LotFactory()
    order = order_packed_from(lot, email="lan@example.vn")
    line = OrderLine.objects.filter(order=order).first()
    second = OrderLine.objects.create(
        order=order,
        shipment=line.shipment,
        variant=lot.variant,
        sku=lot.variant.sku,
        product_title="x",
        variant_label="y",
        unit_price_vnd=1000,
        quantity=1,
        weight_g=1,
    )
    LotAllocation.objects.create(lot=lot, order_line=second, quantity=1)

    notices = lot_recall_recipients(lot=lot)

    assert [n.order_number for n in notices] == [order.number]


def test_another_sellers_staff_may_not_recall():
    lot = LotFactory()
    stranger = seller_staff(LotFactory())

    with pytest.raises(PermissionDenied):
        lot_recall(lot=lot, reason=REASON, actor=stranger)

    lot.refresh_from_db()
    assert lot.status == "active"
    assert not LotEvent.objects.filter(lot=lot).exists()


def test_recall_needs_a_reason_and_happens_once():
    lot = LotFactory()
    actor = operator()
    with pytest.raises(ValidationError):
        lot_recall(lot=lot, reason="  ", actor=actor)
    lot_recall(lot=lot, reason=REASON, actor=actor)

    with pytest.raises(ValidationError):
        lot_recall(lot=lot, reason="Lý do khác hẳn lần trước", actor=actor)

    lot.refresh_from_db()
    assert lot.recall_reason == REASON
    assert LotEvent.objects.filter(lot=lot, kind="recall").count() == 1
