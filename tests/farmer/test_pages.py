"""The farmer area page by page: who gets in, what each page does through
the existing services, the weight budget and constant query counts."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import uuid
from pathlib import Path

import pytest
import zxingcpp
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from wagtail.images import get_image_model

from market.checkout.models import ShipmentStatus
from market.models import Stock
from tests.factories import UserFactory, operator_create
from tests.farmer.world import PASSWORD, farmer_world
from traceability.models import DiaryEntry, LabelRun, Lot, LotAllocation
from traceability.services.links import lot_link

pytestmark = pytest.mark.django_db

PAGES = [
    "/nong-dan/",
    "/nong-dan/don-hang/",
    "/nong-dan/ton-kho/",
    "/nong-dan/nhat-ky/",
    "/nong-dan/thu-hoach/",
    "/nong-dan/tem/",
    "/nong-dan/tien/",
]
BUDGET = 30 * 1024  # gzip bytes, HTML and CSS (issue 17)


@pytest.fixture
def an(db):
    return farmer_world("0911000001", name="An")


def _login(client, farmer):
    client.force_login(farmer.user)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_a_visitor_who_is_not_signed_in_is_sent_to_the_farmer_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/nong-dan/dang-nhap/?next=")


@pytest.mark.parametrize("make", ["operator", "shopper"])
def test_someone_who_sells_nothing_is_told_the_area_is_for_farmers(client, make):
    user = operator_create() if make == "operator" else UserFactory()
    client.force_login(user)
    response = client.get("/nong-dan/")
    assert response.status_code == 403
    assert "dành cho nông dân" in response.content.decode()


def test_a_farmer_signs_in_with_the_phone_number_as_they_write_it(client, an):
    response = client.post(
        "/nong-dan/dang-nhap/",
        {"username": "+84 911.000.001", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/nong-dan/"
    assert "Việc hôm nay" in client.get("/nong-dan/").content.decode()


def test_a_wrong_password_says_what_to_do(client, an):
    response = client.post(
        "/nong-dan/dang-nhap/", {"username": "0911000001", "password": "sai"}
    )
    assert "gọi người vận hành chợ" in response.content.decode()


def test_today_lists_the_order_low_stock_certificate_and_scans(client, an):
    html = _login(client, an).get("/nong-dan/").content.decode()
    assert an.shipment.order.number in html
    assert f"{an.variant.product.title} ({an.variant.label})" in html  # 3 left
    ends = (timezone.localdate() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    assert f"hết hạn ngày {ends} (còn 10 ngày)" in html
    assert f"Lô {an.lot.code}" in html


def test_today_warns_of_a_code_scanned_from_many_phones(client, an, settings):
    settings.SCAN_SUSPICIOUS_CLIENTS = 2
    for n in range(3):
        an.lot.scans.create(
            serial="000002",
            scanned_at=timezone.now(),
            client_class="android",
            client_hash=f"x{n}",
            verdict="genuine",
        )
    html = _login(client, an).get("/nong-dan/").content.decode()
    assert "Có mã có thể bị sao chép" in html
    assert "tem 000002: quét 3 lần từ 3 máy" in html


def _gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


@pytest.mark.parametrize("url", [*PAGES, "/nong-dan/dang-nhap/"])
def test_every_page_weighs_under_30_kb_gzip_with_its_css(client, an, url):
    if url != "/nong-dan/dang-nhap/":
        _login(client, an)
    html = client.get(url).content
    css = Path(finders.find("farmer/farmer.css")).read_bytes()
    assert _gzip_size(html) + _gzip_size(css) <= BUDGET
    # Nothing else is loaded but the one CSS file (and the diary's script).
    assert html.count(b'rel="stylesheet"') == 1


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [*PAGES, "order"])
def test_query_count_is_the_same_for_1_and_10_rows(client, url):
    one = farmer_world("0911000001", name="An", rows=1)
    ten = farmer_world("0911000002", name="Binh", rows=10)
    counts = []
    for farmer in (one, ten):
        client.force_login(farmer.user)
        target = f"/nong-dan/don-hang/{farmer.shipment.pk}/" if url == "order" else url
        _queries(client, target)  # warm the session and caches
        counts.append(_queries(client, target))
    assert counts[0] == counts[1]


def test_packing_an_order_records_the_chosen_lot(client, an):
    line = an.shipment.lines.get()
    response = _login(client, an).post(
        f"/nong-dan/don-hang/{an.shipment.pk}/",
        {f"lot_{line.pk}": an.lot.pk, f"qty_{line.pk}": line.quantity},
    )
    assert response.status_code == 302
    an.shipment.refresh_from_db()
    assert an.shipment.status == ShipmentStatus.PACKED
    allocation = LotAllocation.objects.get(order_line=line)
    assert (allocation.lot_id, allocation.quantity) == (an.lot.pk, 2)


def test_packing_more_than_ordered_is_refused_and_says_why(client, an):
    line = an.shipment.lines.get()
    html = (
        _login(client, an)
        .post(
            f"/nong-dan/don-hang/{an.shipment.pk}/",
            {f"lot_{line.pk}": an.lot.pk, f"qty_{line.pk}": 9},
        )
        .content.decode()
    )
    assert "errorlist" in html
    an.shipment.refresh_from_db()
    assert an.shipment.status == ShipmentStatus.TO_PACK


def test_a_shelf_count_is_saved_and_cannot_go_below_what_orders_hold(client, an):
    stock = Stock.objects.get(variant=an.variant)
    prefix = f"v{an.variant.pk}"
    _login(client, an)
    client.post("/nong-dan/ton-kho/", {f"{prefix}-on_hand": 40, f"{prefix}-shown": 3})
    stock.refresh_from_db()
    assert stock.on_hand == 40
    html = client.post(
        "/nong-dan/ton-kho/", {f"{prefix}-on_hand": 0, f"{prefix}-shown": 40}
    ).content.decode()
    assert "giữ cho đơn" in html
    stock.refresh_from_db()
    assert stock.on_hand == 40


def _diary_post(farm, **extra):
    return {
        "farm": farm.pk,
        "kind": "observation",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "note": "Lá vàng ở góc vườn",
        "client_id": str(uuid.uuid4()),
        **extra,
    }


def test_a_pesticide_entry_says_from_which_day_harvest_is_allowed(client, an):
    data = _diary_post(
        an.farm,
        kind="input",
        input_type="pesticide",
        input_product="Regent 800WG",
        pre_harvest_days=7,
    )
    response = _login(client, an).post("/nong-dan/nhat-ky/", data, follow=True)
    day = (timezone.localdate() + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    html = response.content.decode()
    assert f"chỉ thu hoạch từ ngày {day}" in html
    assert DiaryEntry.objects.filter(input_product="Regent 800WG").count() == 1


def test_the_same_diary_form_sent_twice_is_one_entry(client, an):
    data = _diary_post(an.farm)
    _login(client, an)
    client.post("/nong-dan/nhat-ky/", data)
    client.post("/nong-dan/nhat-ky/", data)
    answer = client.post("/nong-dan/nhat-ky/", data, HTTP_ACCEPT="application/json")
    assert answer.json()["ok"] is True
    assert DiaryEntry.objects.filter(note="Lá vàng ở góc vườn").count() == 1


def test_the_offline_queue_gets_errors_back_as_json(client, an):
    data = _diary_post(an.farm, kind="input")
    answer = _login(client, an).post(
        "/nong-dan/nhat-ky/", data, HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 400
    assert "tên sản phẩm" in " ".join(answer.json()["errors"])


def test_harvest_makes_a_lot_and_a_running_interval_stops_it(client, an):
    _login(client, an)
    today = timezone.localdate()
    data = {
        "farm": an.farm.pk,
        "variant": an.variant.pk,
        "harvested_on": today.strftime("%d/%m/%Y"),
        "quantity": 120,
    }
    assert client.post("/nong-dan/thu-hoach/", data).status_code == 302
    lot = Lot.objects.get(variant=an.variant, harvested_on=today)
    assert lot.code == f"{today:%y%m%d}" and lot.events.count() == 1
    client.post(
        "/nong-dan/nhat-ky/",
        _diary_post(
            an.farm,
            kind="input",
            input_type="pesticide",
            input_product="Regent",
            pre_harvest_days=7,
        ),
    )
    html = client.post("/nong-dan/thu-hoach/", data).content.decode()
    assert "cách ly" in html
    assert Lot.objects.filter(variant=an.variant, harvested_on=today).count() == 1


def test_labels_print_through_the_label_task_and_download(
    client, an, django_capture_on_commit_callbacks
):
    _login(client, an)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/nong-dan/tem/lo/{an.lot.pk}/in/", {"count": 2})
    run = LabelRun.objects.filter(lot=an.lot).latest("pk")
    assert run.count == 2 and run.status == "done"  # immediate tasks in tests
    response = client.get(f"/nong-dan/tem/dot/{run.pk}/tem.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_lot_qr_is_a_png_that_scans_to_the_lot(client, an):
    response = _login(client, an).get(f"/nong-dan/tem/lo/{an.lot.pk}/qr.png")
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content)).convert("L")
    codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == [lot_link(lot=an.lot)]


def test_payouts_show_the_balance_ledger_and_transfers(client, an):
    html = _login(client, an).get("/nong-dan/tien/").content.decode()
    assert "50.000 ₫" in html  # 300 000 sold − 250 000 paid out
    assert "-250.000 ₫" in html
    assert an.shipment.order.number in html


def test_the_service_worker_claims_the_farmer_area(client, an):
    response = _login(client, an).get("/nong-dan/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/nong-dan/"
    assert b"/nong-dan/nhat-ky/" in response.content


def test_the_admin_dashboard_links_a_farmer_to_the_phone_pages(client, an):
    an.user.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )
    html = _login(client, an).get("/admin/").content.decode()
    assert 'href="/nong-dan/"' in html


def _jpeg(name="la.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#6a8f3a").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_resent_entry_with_a_photo_keeps_one_entry_and_one_image(client, an):
    data = _diary_post(an.farm)
    _login(client, an)
    images = get_image_model().objects.count()
    for _n in range(2):
        client.post(
            "/nong-dan/nhat-ky/",
            {**data, "photo": _jpeg()},
            HTTP_ACCEPT="application/json",
        )
    entry = DiaryEntry.objects.get(client_id=data["client_id"])
    assert entry.photo is not None
    assert get_image_model().objects.count() == images + 1
