"""The public scan page: what a shopper sees after scanning a label."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re

import pytest
from django.core import mail
from django.core.files.images import ImageFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from PIL import Image as PILImage
from wagtail.images import get_image_model

from market.models import Certification, ProductImage
from tests.factories import (
    DiaryEntryFactory,
    LotFactory,
    UserFactory,
)
from tests.traceability.scan_helpers import at, signed_path
from traceability.models import DiaryKind, LotEventKind, ProblemReport, Scan
from traceability.selectors_scan import DIARY_PHOTO_SPEC, PRODUCT_PHOTO_SPEC
from traceability.services.events import lot_event_append
from traceability.services.links import lot_link
from traceability.verdicts import (
    Limits,
    LinkCheck,
    LotFacts,
    Reason,
    ScanHistory,
    Verdict,
    client_class,
    client_hash,
    scan_verdict,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The report rate limit lives in the cache, which outlives each test.
    from django.core.cache import cache

    cache.clear()


SIGNED = LinkCheck(parsed=True, has_signature=True, signature_ok=True)
TODAY = dt.date(2026, 11, 20)
LIMITS = Limits(max_scans=3, max_clients=2)
ACTIVE = LotFacts(status="active", best_before=dt.date(2027, 1, 1), serials_issued=50)


def verdict_of(response) -> str:
    html = response.content.decode()
    start = html.index('data-verdict="') + len('data-verdict="')
    return html[start : html.index('"', start)]


def tamper(path: str, *, old: str, new: str) -> str:
    assert old in path
    return path.replace(old, new, 1)


def webp_image(title: str):
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 480), (120, 160, 60)).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(buffer, name=f"{title}.png")
    )


# --- verdict rules (pure) -------------------------------------------------


def test_verdict_genuine_when_signed_known_and_in_date():
    outcome = scan_verdict(
        link=SIGNED,
        lot=ACTIVE,
        serial="7",
        history=ScanHistory(),
        limits=LIMITS,
        today=TODAY,
    )
    assert outcome.verdict == Verdict.GENUINE


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        (LinkCheck(parsed=False), Reason.MALFORMED),
        (LinkCheck(parsed=True, has_signature=False), Reason.NO_SIGNATURE),
        (LinkCheck(parsed=True, has_signature=True), Reason.BAD_SIGNATURE),
    ],
)
def test_verdict_not_genuine_for_bad_links_on_an_active_lot(link, reason):
    outcome = scan_verdict(
        link=link,
        lot=ACTIVE,
        serial="1",
        history=ScanHistory(),
        limits=LIMITS,
        today=TODAY,
    )
    assert (outcome.verdict, outcome.reason) == (Verdict.NOT_GENUINE, reason)


@pytest.mark.parametrize(
    ("link", "serial"),
    [
        (LinkCheck(parsed=True, has_signature=False), "1"),
        (LinkCheck(parsed=True, has_signature=True), "1"),
        (SIGNED, "51"),  # a serial never printed
        (SIGNED, "007"),
        (SIGNED, None),
    ],
)
def test_verdict_recall_wins_over_every_other_verdict(link, serial):
    recalled = LotFacts(
        status="recalled", best_before=dt.date(2026, 1, 1), serials_issued=50
    )
    outcome = scan_verdict(
        link=link,
        lot=recalled,
        serial=serial,
        history=ScanHistory(count=99, distinct_clients=99),
        limits=LIMITS,
        today=TODAY,
    )
    assert (outcome.verdict, outcome.reason) == (Verdict.RECALLED, Reason.RECALLED)


def test_verdict_not_genuine_for_unknown_lot_or_unissued_serial():
    unknown = scan_verdict(
        link=SIGNED,
        lot=None,
        serial="1",
        history=ScanHistory(),
        limits=LIMITS,
        today=TODAY,
    )
    unissued = scan_verdict(
        link=SIGNED,
        lot=ACTIVE,
        serial="51",
        history=ScanHistory(),
        limits=LIMITS,
        today=TODAY,
    )
    padded = scan_verdict(
        link=SIGNED,
        lot=ACTIVE,
        serial="007",
        history=ScanHistory(),
        limits=LIMITS,
        today=TODAY,
    )
    assert unknown.reason == Reason.UNKNOWN_LOT
    assert unissued.reason == Reason.UNKNOWN_SERIAL
    assert padded.reason == Reason.UNKNOWN_SERIAL


def test_verdict_recall_outranks_expiry_and_expiry_outranks_copies():
    old_recalled = LotFacts("recalled", dt.date(2026, 1, 1), 50)
    old = LotFacts("active", dt.date(2026, 11, 19), 50)
    copied = ScanHistory(count=10, distinct_clients=10)
    first = scan_verdict(
        link=SIGNED,
        lot=old_recalled,
        serial="1",
        history=copied,
        limits=LIMITS,
        today=TODAY,
    )
    second = scan_verdict(
        link=SIGNED, lot=old, serial="1", history=copied, limits=LIMITS, today=TODAY
    )
    assert first.verdict == Verdict.RECALLED
    assert second.verdict == Verdict.EXPIRED


def test_verdict_best_before_today_is_still_in_date():
    lot = LotFacts("active", TODAY, 50)
    outcome = scan_verdict(
        link=SIGNED,
        lot=lot,
        serial=None,
        history=ScanHistory(),
        limits=LIMITS,
        today=TODAY,
    )
    assert outcome.verdict == Verdict.GENUINE


def test_verdict_suspicious_counts_this_scan_too():
    at_limit = ScanHistory(count=2, distinct_clients=1, client_seen=True)
    over = ScanHistory(count=3, distinct_clients=1, client_seen=True)
    new_client = ScanHistory(count=1, distinct_clients=2, client_seen=False)
    kwargs = {"link": SIGNED, "lot": ACTIVE, "serial": "4", "limits": LIMITS}
    assert scan_verdict(history=at_limit, today=TODAY, **kwargs).verdict == "genuine"
    assert scan_verdict(history=over, today=TODAY, **kwargs).reason == (
        Reason.TOO_MANY_SCANS
    )
    assert scan_verdict(history=new_client, today=TODAY, **kwargs).reason == (
        Reason.TOO_MANY_CLIENTS
    )


def test_lot_level_codes_are_never_suspicious():
    crowd = ScanHistory(count=500, distinct_clients=400)
    outcome = scan_verdict(
        link=SIGNED, lot=ACTIVE, serial=None, history=crowd, limits=LIMITS, today=TODAY
    )
    assert outcome.verdict == Verdict.GENUINE


def test_client_hash_is_keyed_and_short():
    one = client_hash(key=b"k1", address="203.0.113.9")
    assert one == client_hash(key=b"k1", address="203.0.113.9")
    assert one != client_hash(key=b"k2", address="203.0.113.9")
    assert len(one) == 16 and "203" not in one


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("Mozilla/5.0 (Linux; Android 13; SM-A145F) Chrome/120 Mobile", "android"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)", "ios"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120", "desktop"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit)", "other"),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", "bot"),
        ("", "other"),
    ],
)
def test_client_class_is_coarse(agent, expected):
    assert client_class(agent) == expected


# --- the page --------------------------------------------------------------


def test_genuine_unit_label_shows_the_farm_and_place(client):
    lot = LotFactory(serials_issued=20, farm__name="Vườn su su Tam Đảo")

    response = client.get(signed_path(lot, "7"))

    html = response.content.decode()
    assert response.status_code == 200
    assert verdict_of(response) == "genuine"
    assert "Vườn su su Tam Đảo" in html
    assert "Thành phố Hà Nội" in html
    assert lot.variant.product.title in html
    assert "Xác thực lần đầu ngày" in html
    assert 'lang="vi"' in html


def test_printed_links_open_the_page_as_genuine(client, settings):
    settings.SITE_URL = "https://nguonque.vn"
    lot = LotFactory(serials_issued=3)

    printed = lot_link(lot=lot, serial="3")

    path = printed.removeprefix("https://nguonque.vn")
    assert path == signed_path(lot, "3")
    assert verdict_of(client.get(path)) == "genuine"


def test_short_form_for_a_variant_without_gtin(client):
    lot = LotFactory(serials_issued=5, variant__gtin=None)

    response = client.get(signed_path(lot, "5"))

    assert signed_path(lot, "5").startswith(f"/q/{lot.pk}/5?s=")
    assert verdict_of(response) == "genuine"


def test_lot_level_label_without_serial_is_genuine(client):
    lot = LotFactory()

    response = client.get(signed_path(lot))

    assert verdict_of(response) == "genuine"


def test_one_changed_serial_character_is_not_genuine_and_hides_the_farm(client):
    lot = LotFactory(serials_issued=20, farm__name="Vườn bưởi Diễn")
    path = signed_path(lot, "12")

    response = client.get(tamper(path, old="/21/12", new="/21/13"))

    assert response.status_code == 200
    assert verdict_of(response) == "not-genuine"
    assert "Vườn bưởi Diễn" not in response.content.decode()
    assert "Đừng mua hoặc dùng sản phẩm này" in response.content.decode()


def test_one_changed_signature_character_is_not_genuine(client):
    lot = LotFactory(serials_issued=20)
    path = signed_path(lot, "12")
    sig = path.rsplit("s=", 1)[1]
    changed = ("A" if sig[0] != "A" else "B") + sig[1:]

    response = client.get(tamper(path, old=f"s={sig}", new=f"s={changed}"))

    assert verdict_of(response) == "not-genuine"


def test_missing_signature_is_not_genuine(client):
    lot = LotFactory(serials_issued=20)
    path = signed_path(lot, "3").split("&s=")[0]

    response = client.get(path)

    assert verdict_of(response) == "not-genuine"
    assert "thiếu chữ ký" in response.content.decode()


def test_unknown_lot_is_404_and_malformed_code_400_pages_that_explain(client):
    lot = LotFactory(serials_issued=20)
    lot_path = signed_path(lot, "3")
    lot.delete()

    unknown = client.get(lot_path)
    malformed = client.get("/01/08930000000010/10/L1/21/3?s=abc")  # bad check digit

    assert (unknown.status_code, verdict_of(unknown)) == (404, "not-genuine")
    assert (malformed.status_code, verdict_of(malformed)) == (400, "not-genuine")
    assert "báo cho chúng tôi" in malformed.content.decode()


def test_signed_serial_never_issued_is_not_genuine(client):
    lot = LotFactory(serials_issued=10)

    response = client.get(signed_path(lot, "11"))

    assert verdict_of(response) == "not-genuine"


def test_recalled_lot_turns_red_with_the_reason(client):
    lot = LotFactory(serials_issued=10)
    path = signed_path(lot, "1")
    assert verdict_of(client.get(path)) == "genuine"
    lot.status = "recalled"
    lot.recall_reason = "Phát hiện dư lượng thuốc vượt ngưỡng"
    lot.save()

    response = client.get(path)

    assert verdict_of(response) == "recalled"
    assert "Phát hiện dư lượng thuốc vượt ngưỡng" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_past_best_before_is_expired(client):
    lot = LotFactory(best_before=timezone.localdate() - dt.timedelta(days=1))

    response = client.get(signed_path(lot))

    assert verdict_of(response) == "expired"


def test_serial_scanned_too_often_turns_suspicious(client, settings):
    settings.SCAN_SUSPICIOUS_COUNT = 3
    lot = LotFactory(serials_issued=10)
    path = signed_path(lot, "2")

    verdicts = [verdict_of(client.get(path)) for _ in range(4)]

    assert verdicts == ["genuine", "genuine", "genuine", "suspicious"]


def test_serial_scanned_from_too_many_clients_turns_suspicious(settings):
    settings.SCAN_SUSPICIOUS_CLIENTS = 2
    lot = LotFactory(serials_issued=10)
    path = signed_path(lot, "2")

    verdicts = [
        verdict_of(Client(REMOTE_ADDR=f"198.51.100.{n}").get(path)) for n in range(3)
    ]

    assert verdicts == ["genuine", "genuine", "suspicious"]


def test_crawlers_are_logged_but_do_not_make_a_label_suspicious(settings):
    settings.SCAN_SUSPICIOUS_COUNT = 1
    lot = LotFactory(serials_issued=10)
    path = signed_path(lot, "2")
    bot = Client(HTTP_USER_AGENT="Googlebot/2.1")
    for _ in range(3):
        bot.get(path)

    response = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 13)").get(path)

    assert verdict_of(response) == "genuine"
    assert Scan.objects.filter(lot=lot, client_class="bot").count() == 3


def test_first_verified_date_is_the_first_genuine_scan(client):
    lot = LotFactory(serials_issued=10)
    Scan.objects.create(
        lot=lot,
        serial="4",
        scanned_at=at(dt.date(2026, 10, 5)),
        client_class="android",
        client_hash="0" * 16,
        verdict="genuine",
    )

    response = client.get(signed_path(lot, "4"))

    assert "Xác thực lần đầu ngày 05/10/2026" in response.content.decode()


def test_each_scan_is_logged_coarsely(client):
    lot = LotFactory(serials_issued=10)

    client.get(
        signed_path(lot, "9"),
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)",
    )
    client.get("/q/999999/1?s=AAAAAAAAAAAA")

    genuine, forged = Scan.objects.order_by("pk")
    assert (genuine.lot, genuine.serial, genuine.verdict) == (lot, "9", "genuine")
    assert genuine.client_class == "ios"
    assert len(genuine.client_hash) == 16 and "203" not in genuine.client_hash
    assert (forged.lot, forged.verdict) == (None, "not-genuine")


def test_page_never_asks_for_login_or_payment(client):
    lot = LotFactory(serials_issued=10)

    response = client.get(signed_path(lot, "1"))

    html = response.content.decode().lower()
    assert "sessionid" not in response.cookies
    assert "/admin/" not in html
    assert "<script" not in html
    assert 'type="password"' not in html


def test_diary_shows_the_correction_instead_of_the_corrected_entry(client):
    lot = LotFactory(harvested_on=dt.date(2026, 10, 1))
    wrong = DiaryEntryFactory(
        farm=lot.farm,
        kind=DiaryKind.INPUT,
        input_product="Phân hữu cơ vi sinh 50 kg",
        occurred_at=at(dt.date(2026, 9, 1)),
    )
    DiaryEntryFactory(
        farm=lot.farm,
        kind=DiaryKind.INPUT,
        input_product="Phân hữu cơ vi sinh 30 kg",
        corrects=wrong,
        occurred_at=at(dt.date(2026, 9, 1)),
    )
    DiaryEntryFactory(
        farm=lot.farm, note="Sau thu hoạch", occurred_at=at(dt.date(2026, 10, 9))
    )

    html = client.get(signed_path(lot)).content.decode()

    assert "Phân hữu cơ vi sinh 30 kg" in html
    assert "50 kg" not in html
    assert "Sau thu hoạch" not in html


def rich_lot():
    """A lot with everything the page can show: photos, certificates, a full
    diary, shipments."""
    lot = LotFactory(serials_issued=100, harvested_on=dt.date(2026, 10, 1))
    product = lot.variant.product
    photo = webp_image("nuoc-mam")
    ProductImage.objects.create(product=product, image=photo, alt_text="Chai nước mắm")
    photo.get_rendition(PRODUCT_PHOTO_SPEC)
    seller = product.seller
    Certification.objects.create(
        seller=seller,
        product=product,
        kind="ocop",
        number="OCOP-2025-118",
        stars=4,
        status="approved",
        valid_until=dt.date(2028, 6, 1),
    )
    Certification.objects.create(
        seller=seller,
        kind="vietgap",
        number="VietGAP-TT-19-01",
        status="approved",
        valid_until=dt.date(2025, 1, 1),
    )
    for day in range(1, 8):
        thumb = webp_image(f"nhat-ky-{day}")
        thumb.get_rendition(DIARY_PHOTO_SPEC)
        DiaryEntryFactory(
            farm=lot.farm,
            kind=DiaryKind.INPUT,
            input_product="Thuốc trừ sâu sinh học Bt",
            pre_harvest_days=7,
            photo=thumb,
            note="Phun buổi sáng sớm, trời khô ráo, không gió, liều 20 ml/bình 16 lít "
            * 3,
            occurred_at=at(dt.date(2026, 9, day)),
        )
    for n in range(8):
        lot_event_append(
            lot=lot,
            kind=LotEventKind.SHIPPING if n % 2 == 0 else LotEventKind.RECEIVING,
            occurred_at=at(dt.date(2026, 10, 3 + n)),
            biz_step="shipping" if n % 2 == 0 else "receiving",
            read_point="Bưu cục Hà Đông, Thành phố Hà Nội",
        )
    return lot


def test_rich_page_shows_photos_certificates_diary_and_journey(client):
    lot = rich_lot()

    html = client.get(signed_path(lot, "10")).content.decode()

    assert 'alt="Chai nước mắm"' in html
    assert 'loading="lazy"' in html and ".webp" in html
    assert 'width="160" height="120"' in html
    assert "OCOP 4★" in html and "còn hiệu lực đến 01/06/2028" in html
    assert "đã hết hạn ngày 01/01/2025" in html
    assert html.count("Thuốc trừ sâu sinh học Bt") == 5
    assert "Bưu cục Hà Đông" in html


def test_a_photo_without_its_small_rendition_gets_one_for_the_next_scan(client):
    lot = LotFactory(serials_issued=10)
    photo = webp_image("chua-co-ban-nho")
    ProductImage.objects.create(product=lot.variant.product, image=photo)

    first = client.get(signed_path(lot, "1")).content.decode()
    second = client.get(signed_path(lot, "2")).content.decode()

    assert "<img" not in first
    assert photo.renditions.filter(filter_spec=PRODUCT_PHOTO_SPEC).exists()
    assert 'width="160" height="120"' in second


def test_scan_page_stays_within_five_queries_including_the_log(
    client, django_assert_max_num_queries
):
    lot = rich_lot()
    path = signed_path(lot, "10")

    with django_assert_max_num_queries(5):
        response = client.get(path)

    assert verdict_of(response) == "genuine"
    assert Scan.objects.filter(lot=lot, serial="10").count() == 1


def test_first_view_is_at_most_14_kb_gzip_with_css_inlined(client):
    lot = rich_lot()

    response = client.get(signed_path(lot, "10"))

    body = response.content
    assert b"<style nonce=" in body and b'rel="stylesheet"' not in body
    assert len(gzip.compress(body, compresslevel=6)) <= 14 * 1024


# --- report a problem ---------------------------------------------------------


def report(client, path: str, message: str = "Nắp chai bị hở", contact: str = ""):
    return client.post(
        "/truy-xuat/bao-loi/",
        {"link": path, "message": message, "contact": contact},
    )


def test_report_reaches_operator_and_seller_and_thanks_the_shopper(
    client, settings, django_capture_on_commit_callbacks
):
    settings.OPERATOR_EMAIL = "vanhanh@nguonque.vn"
    lot = LotFactory(serials_issued=10, farm__seller__email="htx@example.vn")
    member = UserFactory(email="nongdan@example.vn")
    lot.variant.product.seller.users.add(member)
    path = signed_path(lot, "3")

    with django_capture_on_commit_callbacks(execute=True):
        response = report(client, path, contact="0912 000 111")

    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "Tiếp theo sẽ thế nào?" in thanks.content.decode()
    saved = ProblemReport.objects.get()
    assert (saved.lot, saved.serial, saved.contact) == (lot, "3", "0912 000 111")
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {
        "vanhanh@nguonque.vn",
        "htx@example.vn",
        "nongdan@example.vn",
    }
    assert "Nắp chai bị hở" in mail.outbox[0].body


def test_report_about_a_forged_code_still_names_the_lot_it_copies(client):
    lot = LotFactory(serials_issued=10)
    forged = signed_path(lot, "3").rsplit("s=", 1)[0] + "s=XXXXXXXXXXXX"

    report(client, forged)

    assert ProblemReport.objects.get().lot == lot


def test_report_needs_a_message_and_says_what_to_do(client):
    response = report(client, "/q/1/1?s=x", message="")

    assert response.status_code == 400
    assert "hãy xem lại" in response.content.decode()
    assert not ProblemReport.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "//evil.example/01/x",
        "https://evil.example/01/x",
        '/01/x" onmouseover="alert(1)',
        "/q/1/1\\evil",
    ],
)
def test_report_page_never_links_back_to_an_unchecked_address(client, link):
    response = report(client, link, message="")

    body = response.content.decode()
    assert response.status_code == 400
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert all(href.startswith(("/", "data:")) for href in hrefs), hrefs
    assert not any(href.startswith("//") for href in hrefs)
    assert "Quay lại trang kiểm tra mã" not in body


def test_report_page_links_back_to_the_scan_page_it_came_from(client):
    lot = LotFactory(serials_issued=10)
    path = signed_path(lot, "2")

    response = report(client, path, message="")

    assert response.status_code == 400
    assert f'href="{escape(path)}"' in response.content.decode()


def test_report_is_csrf_protected():
    csrf_client = Client(enforce_csrf_checks=True)

    response = report(csrf_client, "/q/1/1?s=x")

    assert response.status_code == 403
    assert not ProblemReport.objects.exists()


def test_report_form_on_the_page_posts_with_its_token():
    lot = LotFactory(serials_issued=10)
    csrf_client = Client(enforce_csrf_checks=True)
    page = csrf_client.get(signed_path(lot, "1"))
    token = page.cookies["csrftoken"].value

    response = csrf_client.post(
        "/truy-xuat/bao-loi/",
        {
            "link": signed_path(lot, "1"),
            "message": "Tem bị dán đè",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302
    assert ProblemReport.objects.get().message == "Tem bị dán đè"


def test_reports_are_rate_limited_per_client(client):
    from django.core.cache import cache

    cache.clear()
    statuses = [
        report(client, "/q/1/1?s=x", message=f"lần {n}").status_code for n in range(7)
    ]

    assert statuses == [302] * 5 + [429, 429]
    assert ProblemReport.objects.count() == 5


def test_behind_the_proxy_clients_are_counted_by_forwarded_address(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.SCAN_SUSPICIOUS_CLIENTS = 1
    lot = LotFactory(serials_issued=10)
    path = signed_path(lot, "2")
    proxy = Client(REMOTE_ADDR="10.0.0.1")

    same = [
        verdict_of(proxy.get(path, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7"))
        for _ in range(2)
    ]
    other = proxy.get(path, HTTP_X_FORWARDED_FOR="198.51.100.8")

    assert same == ["genuine", "genuine"]
    assert verdict_of(other) == "suspicious"


def test_reports_are_listed_in_the_admin_for_their_seller_only(client):
    from tests.traceability.staff_helpers import farmer_of, operator_user

    mine = LotFactory(serials_issued=10)
    theirs = LotFactory(serials_issued=10)
    report(client, signed_path(mine, "1"), message="Chai của tôi bị hở nắp")
    report(client, signed_path(theirs, "1"), message="Chai nhà khác bị vỡ")
    farmer = Client()
    farmer.force_login(farmer_of(mine.farm.seller))

    listing = farmer.get("/admin/truy-xuat/phan-anh/").content.decode()
    other = ProblemReport.objects.get(lot=theirs)
    refused = farmer.post("/admin/truy-xuat/phan-anh/", {"report": other.pk})
    own = ProblemReport.objects.get(lot=mine)
    farmer.post("/admin/truy-xuat/phan-anh/", {"report": own.pk})

    assert "Chai của tôi bị hở nắp" in listing
    assert "Chai nhà khác bị vỡ" not in listing
    assert refused.status_code == 404
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.handled_at is not None and other.handled_at is None
    operator = Client()
    operator.force_login(operator_user())
    assert (
        "Chai nhà khác bị vỡ"
        in operator.get("/admin/truy-xuat/phan-anh/").content.decode()
    )


# --- keys (issue 14) and odd paths (issue 19) --------------------------------


def test_rotating_the_django_secret_changes_no_verdict(client, settings):
    lot = LotFactory(serials_issued=5)
    printed = signed_path(lot, "2")

    settings.SECRET_KEY = "a-brand-new-django-secret-after-a-leak"

    assert verdict_of(client.get(printed)) == "genuine"
    assert verdict_of(client.get(signed_path(lot))) == "genuine"


def test_a_key_in_the_fallbacks_keeps_old_labels_genuine(client, settings):
    lot = LotFactory(serials_issued=5)
    settings.QR_SIGNING_KEY = "the-key-of-2026"
    old_unit, old_lot = signed_path(lot, "4"), signed_path(lot)

    settings.QR_SIGNING_KEY = "the-key-of-2027"
    assert verdict_of(client.get(old_unit)) == "not-genuine"
    settings.QR_SIGNING_KEY_FALLBACKS = ["the-key-of-2026"]

    assert verdict_of(client.get(old_unit)) == "genuine"
    assert verdict_of(client.get(old_lot)) == "genuine"
    new_label = lot_link(lot=lot, serial="4").removeprefix("http://testserver")
    assert new_label != old_unit  # new codes use the current key
    assert verdict_of(client.get(new_label)) == "genuine"


def test_a_forged_code_stays_not_genuine_with_fallbacks(client, settings):
    lot = LotFactory(serials_issued=5)
    settings.QR_SIGNING_KEY = "a-forgers-guess"
    forged = signed_path(lot, "1")
    settings.QR_SIGNING_KEY = "the-key-of-2027"
    settings.QR_SIGNING_KEY_FALLBACKS = ["the-key-of-2026", "the-key-of-2025"]

    assert verdict_of(client.get(forged)) == "not-genuine"


@pytest.mark.parametrize(
    "path",
    [
        "/q/9223372036854775808?s=AAAAAAAAAAAA",
        "/q/99999999999999999999999999999?s=AAAAAAAAAAAA",
        "/q/" + "9" * 5000,
        "/q/1/" + "9" * 400 + "?s=AAAAAAAAAAAA",
        "/q/0",
        "/truy-xuat/lo/99999999999999999999999/qr.png",
    ],
)
def test_a_huge_lot_id_or_serial_is_a_clean_4xx(client, path):
    assert 400 <= client.get(path).status_code < 500


def test_without_a_proxy_a_forged_forwarded_header_is_not_another_client(settings):
    """NUM_PROXIES=0 (the default): the scan page counts REMOTE_ADDR, as the
    API throttles do, so rotating X-Forwarded-For makes no new clients."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    settings.SCAN_SUSPICIOUS_CLIENTS = 1
    lot = LotFactory(serials_issued=10)
    path = signed_path(lot, "2")
    visitor = Client(REMOTE_ADDR="203.0.113.9")

    verdicts = [
        verdict_of(visitor.get(path, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"))
        for n in range(3)
    ]

    assert verdicts == ["genuine"] * 3
