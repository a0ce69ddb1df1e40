"""Certifications: what a seller may upload, the operator's review, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from market.models import Certification, CertificationKind, OcopLevel, ReviewStatus
from market.services.certifications import (
    certification_approve,
    certification_document_check,
    certification_reject,
    certification_submit,
    certification_update,
    certifications_notify_expiring,
)
from tests.factories import (
    CertificationFactory,
    market_ensure,
    operator_create,
    png_bytes,
    product_in,
    seller_with_login,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def shop(home_page):
    market_ensure()
    return seller_with_login()


def pdf_upload(name="giay-chung-nhan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def vietgap_data(**overrides):
    data = {
        "kind": CertificationKind.VIETGAP,
        "number": "VietGAP-TT-21-05-49-0012",
        "issuer": "Trung tâm Kiểm nghiệm Vĩnh Phúc",
        "scope": "Su su, 3 ha",
        "issued_on": dt.date(2025, 3, 1),
        "valid_until": dt.date(2028, 2, 28),
        "product": None,
    }
    data.update(overrides)
    return data


# --- the scan ------------------------------------------------------------------------


def test_scan_type_is_read_from_the_content_not_the_name():
    assert certification_document_check(upload=pdf_upload()) == "pdf"
    png = SimpleUploadedFile("anh.pdf", png_bytes(), content_type="application/pdf")
    assert certification_document_check(upload=png) == "png"


def test_html_renamed_to_pdf_is_refused():
    fake = pdf_upload(content=b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError, match="Chỉ nhận tệp PDF"):
        certification_document_check(upload=fake)


def test_broken_image_is_refused():
    broken = SimpleUploadedFile("anh.png", png_bytes()[:40], content_type="image/png")
    with pytest.raises(ValidationError, match="Ảnh bị hỏng"):
        certification_document_check(upload=broken)


def test_scan_over_ten_megabytes_is_refused():
    big = pdf_upload(content=PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="10 MB"):
        certification_document_check(upload=big)


# --- submitting ----------------------------------------------------------------------


def test_ocop_is_valid_36_months_from_issue_and_waits_for_review(shop):
    seller, user, store = shop
    product = product_in(store, title="Nước mắm cá cơm")

    certification = certification_submit(
        seller=seller,
        user=user,
        data={
            "kind": CertificationKind.OCOP,
            "number": "OCOP-QNa-2024-115",
            "issuer": "UBND tỉnh Quảng Nam",
            "ocop_level": OcopLevel.PROVINCE,
            "stars": 3,
            "issued_on": dt.date(2024, 5, 15),
            "valid_until": dt.date(2030, 1, 1),  # typed wrong: the rule wins
            "product": product,
        },
        upload=pdf_upload(),
    )

    assert certification.status == ReviewStatus.PENDING
    assert certification.valid_until == dt.date(2027, 5, 14)
    # Stored privately under a random name, not the uploaded one.
    assert certification.scan.name.startswith("certificates/")
    assert certification.scan.name.endswith(".pdf")
    assert "giay-chung-nhan" not in certification.scan.name
    assert certification.scan.read() == PDF


@pytest.mark.parametrize("stars", [None, 2, 6])
def test_ocop_needs_three_to_five_stars(shop, stars):
    seller, user, _store = shop
    with pytest.raises(ValidationError, match="3, 4 hoặc 5"):
        certification_submit(
            seller=seller,
            user=user,
            data={
                "kind": CertificationKind.OCOP,
                "number": "OCOP-1",
                "ocop_level": OcopLevel.PROVINCE,
                "stars": stars,
                "issued_on": dt.date(2024, 5, 15),
            },
            upload=pdf_upload(),
        )
    assert not Certification.objects.exists()


def test_vietgap_needs_body_scope_and_end_date_at_most_three_years(shop):
    seller, user, _store = shop
    with pytest.raises(ValidationError) as missing:
        certification_submit(
            seller=seller,
            user=user,
            data=vietgap_data(issuer="", scope="", valid_until=None),
            upload=pdf_upload(),
        )
    assert set(missing.value.message_dict) == {"issuer", "scope", "valid_until"}
    with pytest.raises(ValidationError, match="tối đa 3 năm"):
        certification_submit(
            seller=seller,
            user=user,
            data=vietgap_data(valid_until=dt.date(2029, 1, 1)),
            upload=pdf_upload(),
        )


def test_a_seller_cannot_certify_another_sellers_product(shop, home_page):
    seller, user, _store = shop
    _other, _other_user, other_store = seller_with_login()
    foreign = product_in(other_store, title="Dứa Hướng Đạo")
    with pytest.raises(ValidationError, match="không thuộc cửa hàng"):
        certification_submit(
            seller=seller,
            user=user,
            data=vietgap_data(product=foreign),
            upload=pdf_upload(),
        )


def test_a_scan_is_required(shop):
    seller, user, _store = shop
    with pytest.raises(ValidationError, match="Hãy chọn ảnh chụp"):
        certification_submit(seller=seller, user=user, data=vietgap_data(), upload=None)


# --- review --------------------------------------------------------------------------


def test_approval_turns_the_vietgap_filter_on_and_an_edit_turns_it_off(shop):
    seller, user, store = shop
    product = product_in(store, title="Su su Tam Đảo")
    certification = certification_submit(
        seller=seller,
        user=user,
        data=vietgap_data(product=product),
        upload=pdf_upload(),
    )
    operator = operator_create("op-cert")

    certification_approve(certification=certification, reviewer=operator)
    product.refresh_from_db()
    assert product.has_vietgap is True

    certification_update(
        certification=certification,
        user=user,
        data=vietgap_data(product=product, scope="Su su, 4 ha"),
        upload=None,
    )
    certification.refresh_from_db()
    product.refresh_from_db()
    assert certification.status == ReviewStatus.PENDING
    assert product.has_vietgap is False


def test_rejection_needs_a_note_the_seller_receives(
    shop, django_capture_on_commit_callbacks
):
    seller, _user, _store = shop
    certification = CertificationFactory(seller=seller, status=ReviewStatus.PENDING)
    operator = operator_create("op-cert2")
    with pytest.raises(ValidationError):
        certification_reject(certification=certification, reviewer=operator, note="")

    with django_capture_on_commit_callbacks(execute=True):
        certification_reject(
            certification=certification,
            reviewer=operator,
            note="Số chứng nhận không khớp với bản chụp.",
        )

    certification.refresh_from_db()
    assert certification.status == ReviewStatus.REJECTED
    assert any("không khớp" in message.body for message in mail.outbox)


# --- expiry reminders ----------------------------------------------------------------


def test_expiry_reminder_is_sent_once_and_only_for_approved_certificates_due_soon(
    shop, django_capture_on_commit_callbacks
):
    seller, _user, _store = shop
    today = dt.date(2026, 11, 23)
    due = CertificationFactory(seller=seller, valid_until=dt.date(2026, 12, 10))
    CertificationFactory(seller=seller, valid_until=dt.date(2027, 1, 30))  # 68 days
    CertificationFactory(
        seller=seller, valid_until=dt.date(2026, 12, 1), status=ReviewStatus.PENDING
    )
    CertificationFactory(seller=seller, valid_until=dt.date(2026, 11, 1))  # expired

    with django_capture_on_commit_callbacks(execute=True):
        first = certifications_notify_expiring(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        second = certifications_notify_expiring(today=today + dt.timedelta(days=1))

    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    assert seller.email in mail.outbox[0].to
    assert due.number in mail.outbox[0].body
    assert "10/12/2026" in mail.outbox[0].body
    due.refresh_from_db()
    assert due.expiry_notified_on == today


def test_command_runs_the_daily_task(shop, capsys, django_capture_on_commit_callbacks):
    seller, _user, _store = shop
    CertificationFactory(seller=seller, valid_until=dt.date(2026, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify_expiring_certificates", "--date", "2026-11-20")
    assert "Đã báo 1 giấy chứng nhận" in capsys.readouterr().out
    assert len(mail.outbox) == 1


# --- through the admin ---------------------------------------------------------------


def test_farmer_adds_a_certificate_in_the_admin_and_the_operator_approves_it(
    client, shop
):
    seller, user, store = shop
    product = product_in(store, title="Rau cải VietGAP")
    client.force_login(user)
    response = client.post(
        reverse("certifications:add"),
        {
            "seller": seller.pk,
            "product": product.pk,
            "kind": "vietgap",
            "number": "VG-0099",
            "issuer": "Quacert",
            "scope": "Rau ăn lá",
            "issued_on": "2025-03-01",
            "valid_until": "2028-02-28",
            "stars": "",
            "ocop_level": "",
            "scan": pdf_upload(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    certification = Certification.objects.get(number="VG-0099")
    assert certification.status == ReviewStatus.PENDING
    inspect = reverse("certifications:inspect", args=[certification.pk])
    # The farmer sees it but has no review buttons and cannot approve by POST
    assert 'value="approve"' not in client.get(inspect).content.decode()
    # (Wagtail answers PermissionDenied with a redirect to the dashboard.)
    assert client.post(inspect, {"action": "approve"}).status_code in (302, 403)
    certification.refresh_from_db()
    assert certification.status == ReviewStatus.PENDING

    operator = operator_create("op-admin")
    client.force_login(operator)
    client.post(inspect, {"action": "approve", "note": ""})
    certification.refresh_from_db()
    assert certification.status == ReviewStatus.APPROVED


def test_admin_form_shows_service_errors_on_the_form(client, shop):
    seller, user, _store = shop
    client.force_login(user)
    response = client.post(
        reverse("certifications:add"),
        {"seller": seller.pk, "kind": "ocop", "number": "OCOP-9", "stars": "3"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hãy ghi ngày cấp" in html or "Hãy chọn ảnh chụp" in html
    assert not Certification.objects.exists()


@pytest.mark.parametrize(
    ("issued", "until", "issued_day", "until_day"),
    [
        # Day below 13 (the American reading would be 11 January)...
        ("01/11/2025", "02/10/2028", dt.date(2025, 11, 1), dt.date(2028, 10, 2)),
        # ...and above 12 (the American reading would be refused).
        ("25/03/2025", "28/02/2028", dt.date(2025, 3, 25), dt.date(2028, 2, 28)),
    ],
)
def test_admin_reads_typed_dates_day_month_year_and_shows_them_back(
    client, shop, issued, until, issued_day, until_day
):
    seller, user, _store = shop
    client.force_login(user)
    response = client.post(
        reverse("certifications:add"),
        {
            "seller": seller.pk,
            "kind": "vietgap",
            "number": "VG-0101",
            "issuer": "Quacert",
            "scope": "Rau ăn lá",
            "issued_on": issued,
            "valid_until": until,
            "scan": pdf_upload(),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    certification = Certification.objects.get(number="VG-0101")
    assert (certification.issued_on, certification.valid_until) == (
        issued_day,
        until_day,
    )
    edit = client.get(reverse("certifications:edit", args=[certification.pk]))
    assert f'value="{issued}"' in edit.content.decode()


def test_certificate_list_shows_the_end_date_and_time_left_not_just_now(client, shop):
    seller, user, _store = shop
    today = timezone.localdate()
    CertificationFactory(
        seller=seller,
        number="VG-SOON",
        issued_on=today - dt.timedelta(days=300),
        valid_until=today + dt.timedelta(days=20),
    )
    CertificationFactory(
        seller=seller,
        number="VG-OLD",
        issued_on=dt.date(2020, 1, 1),
        valid_until=dt.date(2022, 12, 31),
    )
    client.force_login(user)

    html = client.get(reverse("certifications:index")).content.decode()

    soon = today + dt.timedelta(days=20)
    assert f"{soon:%d/%m/%Y} (còn 20 ngày)" in html
    assert "31/12/2022 (đã hết hạn)" in html
    assert "Just now" not in html and "Vừa xong" not in html


def test_time_left_reads_in_years_and_months():
    from market.staff.sellers import validity_text

    certification = Certification(valid_until=dt.date(2028, 2, 28))

    assert (
        validity_text(certification, today=dt.date(2025, 12, 3))
        == "28/02/2028 (còn 2 năm 2 tháng)"
    )


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A 49 KB PNG that unpacks to 400 million pixels (1 bit each)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(20_000, 20_000), (10_000, 10_000), (7_000, 7_000)])
def test_a_decompression_bomb_scan_is_refused_with_a_clear_message(size):
    """400 MP (Pillow's error), 100 MP (Pillow's warning) and 49 MP (ours)."""
    bomb = SimpleUploadedFile("giay.png", bomb_png(*size), content_type="image/png")

    with pytest.raises(ValidationError, match="quá nhiều điểm ảnh"):
        certification_document_check(upload=bomb)


def test_a_decompression_bomb_in_the_admin_form_is_a_form_error_not_a_500(client, shop):
    seller, user, _store = shop
    client.force_login(user)

    response = client.post(
        reverse("certifications:add"),
        {
            "seller": seller.pk,
            "kind": "vietgap",
            "number": "VG-BOM",
            "issuer": "Quacert",
            "scope": "Rau ăn lá",
            "issued_on": "2025-03-01",
            "valid_until": "2028-02-28",
            "scan": SimpleUploadedFile("bom.png", bomb_png(), "image/png"),
        },
    )

    assert response.status_code == 200
    assert "quá nhiều điểm ảnh" in response.content.decode()
    assert not Certification.objects.filter(number="VG-BOM").exists()


def test_a_decompression_bomb_uploaded_as_a_wagtail_image_is_refused(client, shop):
    from wagtail.images import get_image_model

    client.force_login(operator_create())

    single = client.post(
        reverse("wagtailimages:add"),
        {"title": "Bom", "file": SimpleUploadedFile("bom.png", bomb_png())},
    )
    multiple = client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile("bom.png", bomb_png())},
        headers={"x-requested-with": "XMLHttpRequest"},
    )

    assert single.status_code == 200
    assert "vượt quá" in single.content.decode() or "pixel" in single.text.lower()
    assert multiple.status_code == 200
    assert multiple.json()["success"] is False
    assert not get_image_model().objects.filter(title__in=["Bom", "bom"]).exists()
