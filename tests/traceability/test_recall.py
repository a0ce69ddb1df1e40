"""Recalling a lot: red at once, recorded in the history, shoppers told."""

from __future__ import annotations

import itertools

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from market.checkout.models import Order, OrderLine, Shipment
from tests.factories import LotFactory
from tests.traceability.scan_helpers import signed_path
from tests.traceability.staff_helpers import farmer_of, operator_user
from traceability.models import LotAllocation, LotEvent
from traceability.services.events import lot_chain_check
from traceability.services.recalls import lot_recall, lot_recall_recipients

pytestmark = pytest.mark.django_db

REASON = "Phát hiện dư lượng thuốc trừ sâu vượt mức cho phép"
_n = itertools.count(1)


def operator():
    return operator_user()


def seller_staff(lot):
    return farmer_of(lot.farm.seller)


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


# --- the admin view -----------------------------------------------------------


def test_farmer_recalls_their_own_lot_from_the_admin(client):
    lot = LotFactory(serials_issued=2)
    client.force_login(farmer_of(lot.farm.seller))
    form = client.get(f"/admin/truy-xuat/thu-hoi/{lot.pk}/")
    assert form.status_code == 200

    response = client.post(
        f"/admin/truy-xuat/thu-hoi/{lot.pk}/", {"reason": REASON, "confirm": "on"}
    )

    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.status == "recalled"
    page = client.get(signed_path(lot, "2")).content.decode()
    assert 'data-verdict="recalled"' in page


def test_recall_form_needs_the_confirmation_box(client):
    lot = LotFactory()
    client.force_login(farmer_of(lot.farm.seller))

    response = client.post(f"/admin/truy-xuat/thu-hoi/{lot.pk}/", {"reason": REASON})

    assert response.status_code == 200
    lot.refresh_from_db()
    assert lot.status == "active"


def test_farmer_cannot_open_or_recall_another_sellers_lot(client):
    mine = LotFactory()
    theirs = LotFactory(code="LOTKHAC")
    client.force_login(farmer_of(mine.farm.seller))

    listing = client.get("/admin/truy-xuat/thu-hoi/").content.decode()
    response = client.post(
        f"/admin/truy-xuat/thu-hoi/{theirs.pk}/", {"reason": REASON, "confirm": "on"}
    )

    assert "LOTKHAC" not in listing
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_operator_recalls_any_lot_from_the_admin(client):
    lot = LotFactory()
    client.force_login(operator_user())

    client.post(
        f"/admin/truy-xuat/thu-hoi/{lot.pk}/", {"reason": REASON, "confirm": "on"}
    )

    lot.refresh_from_db()
    assert lot.status == "recalled"


def test_the_order_page_of_a_recalled_lot_shows_a_red_notice_with_what_to_do(client):
    from market.checkout.selectors import order_url

    lot = LotFactory()
    other = LotFactory(farm=lot.farm)
    order = order_packed_from(lot, email="")
    unaffected = order_packed_from(other, email="")
    page = client.get(order_url(order)).content.decode()
    assert "notice-alert" not in page

    lot_recall(lot=lot, reason=REASON, actor=operator())

    page = client.get(order_url(order)).content.decode()
    notice = page[page.index('class="notice-alert"') : page.index("</section>")]
    assert f"lô {lot.code}" in notice
    assert REASON in notice
    assert "Xin đừng dùng sản phẩm này." in notice
    assert lot.farm.seller.phone in notice
    # Only the orders packed from the recalled lot carry the notice.
    assert "notice-alert" not in client.get(order_url(unaffected)).content.decode()
