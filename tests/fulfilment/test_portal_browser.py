"""A post-office clerk in Chromium: sign in, accept the parcel, print its
label, read the label's QR with a real reader, open that link, walk the
parcel to delivered. Then the shopper's order page, the lot's scan page and
the seller's ledger show the journey. Portal pages must pass axe."""

from __future__ import annotations

import datetime as dt

import pytest
import zxingcpp

from market.checkout.selectors import order_url
from market.fulfilment.services.ledger import ledger_balance
from tests.browser.conftest import axe_violations
from tests.factories import FarmFactory, LotFactory, order_with_shipments
from traceability.services.links import lot_link
from traceability.services.packing import shipment_pack

from .pdf import pdf_page_images

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def packed_parcel(settings, live_server, partner_a, seller, seller_user):
    settings.SITE_URL = live_server.url
    order = order_with_shipments(sellers=[seller])
    line = order.lines.get()
    lot = LotFactory(
        variant=line.variant,
        farm=FarmFactory(seller=seller),
        best_before=dt.date(2027, 6, 1),
    )
    shipment_pack(
        shipment=line.shipment, allocations=[(line, lot, 2)], actor=seller_user
    )
    return line.shipment.parcel, lot


def save_status(tab, label):
    tab.get_by_label(label, exact=True).check()
    tab.get_by_role("button", name="Lưu trạng thái").click()
    tab.wait_for_load_state()


def test_clerk_prints_scans_and_delivers_a_parcel(page, live_server, packed_parcel):
    parcel, lot = packed_parcel
    base = live_server.url

    page.goto(f"{base}/buu-dien/")
    page.get_by_label("Tên đăng nhập").fill("nv-a")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/buu-dien/")
    assert parcel.tracking_code in page.content()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Nhận kiện").click()
    page.wait_for_load_state()
    assert "Đã nhận kiện" in page.content()

    label = page.request.get(f"{base}/buu-dien/kien/{parcel.tracking_code}/tem.pdf")
    assert label.headers["content-type"] == "application/pdf"
    [(_w, _h, image)] = pdf_page_images(label.body())
    [code] = zxingcpp.read_barcodes(image)
    assert code.text == f"{base}/buu-dien/kien/{parcel.tracking_code}/"

    page.goto(code.text)
    assert "Bưu điện A" not in page.title()
    assert axe_violations(page) == []
    for status in ("Đã lấy hàng", "Đang vận chuyển", "Đang đi giao", "Đã giao"):
        save_status(page, status)
        assert f"Đã cập nhật: {status}." in page.content()
    assert "Kiện đã xong" in page.content()

    order = parcel.shipment.order
    page.goto(f"{base}{order_url(order)}")
    assert "Đã giao" in page.content()

    page.goto(lot_link(lot=lot))
    scan = page.content()
    assert "Gửi đi" in scan and "Đã nhận" in scan

    assert ledger_balance(seller=parcel.shipment.seller) == 285_000
