"""The commune's place pages: the QR plaque opens the page and counts, the
page stays within the scan page's budget, Vietnamese first with the right
`lang`, an open-data list, scan counts for the operator only."""

import gzip
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cms.places.models import PlaceIndexPage, PlacePage, PlacePhoto, PlaceScanDay
from market.services.sellers import operator_group_ensure
from tests.factories import UserFactory, image_create

pytestmark = pytest.mark.django_db

HOI_AN_PROVINCE = 48  # Đà Nẵng (Hội An's province since July 2025)


@pytest.fixture
def place(home_page):
    index = PlaceIndexPage(title="Địa danh", slug="dia-danh")
    home_page.add_child(instance=index)
    place = PlacePage(
        title="Chùa Cầu Hội An",
        slug="chua-cau",
        kind="di-tich",
        summary="Cây cầu gỗ có mái, dựng từ thế kỷ 17 bởi thương nhân Nhật Bản.",
        story="<p>Chùa Cầu bắc qua một lạch nhỏ đổ ra sông Hoài.</p>",
        opening_hours="7:00–21:30 hằng ngày",
        province_code=HOI_AN_PROVINCE,
        latitude="15.877200",
        longitude="108.325900",
        title_en="Japanese Covered Bridge",
        story_en="A wooden bridge built in the 17th century.",
    )
    index.add_child(instance=place)
    PlacePhoto.objects.create(
        place=place,
        image=image_create(title="Chùa Cầu"),
        alt_text="Chùa Cầu nhìn từ bờ",
    )
    place.save_revision().publish()
    return PlacePage.objects.get(pk=place.pk)


@pytest.fixture
def operator(client):
    user = UserFactory(username="vanhanh-diadanh", is_staff=True)
    user.groups.add(operator_group_ensure())
    client.force_login(user)
    return user


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_the_plaque_qr_decoded_by_a_reader_opens_the_right_page(
    client, operator, place, tmp_path
):
    response = client.get(reverse("places_plaque", args=[place.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "plaque.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(  # noqa: S603 - our own file, fixed arguments
        [
            shutil.which("pdftoppm"),
            "-r",
            "100",
            "-gray",
            "-png",
            str(pdf),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    page_image = Image.open(png)
    # A5 at 100 dpi: 583 × 827 pixels.
    assert abs(page_image.width - 583) <= 2 and abs(page_image.height - 827) <= 2
    (code,) = zxingcpp.read_barcodes(page_image.convert("L"))

    opened = client.get(urlsplit(code.text).path + "?" + urlsplit(code.text).query)

    assert opened.status_code == 200
    assert "Chùa Cầu Hội An" in opened.content.decode()
    assert PlaceScanDay.objects.get(place=place).count == 1


def test_a_farmer_cannot_print_a_place_plaque(client, place):
    farmer = UserFactory(username="nongdan-diadanh", is_staff=True)
    client.force_login(farmer)

    response = client.get(reverse("places_plaque", args=[place.pk]))

    assert response.status_code in (302, 403)


def test_the_place_page_fits_14_kb_gzip_and_needs_no_script(client, place):
    response = client.get(place.url)

    body = response.content
    assert response.status_code == 200
    assert len(gzip.compress(body, compresslevel=6)) <= 14 * 1024
    assert b"<script" not in body
    assert b'loading="lazy"' in body and b".webp" in body


def test_vietnamese_first_and_english_marked_as_english(client, place):
    html = client.get(place.url).content.decode()

    assert '<html lang="vi">' in html
    assert html.index("Chùa Cầu bắc qua") < html.index("A wooden bridge")
    english = re.search(r'<section class="en"[^>]*lang="en"', html)
    assert english is not None
    assert '<header lang="vi">' in html


def test_the_reading_aloud_is_offered_and_only_audio_files_are_taken(client, place):
    place.audio = SimpleUploadedFile("chua-cau.mp3", b"ID3" + b"\0" * 100)
    place.full_clean()
    place.save()

    html = client.get(place.url).content.decode()
    assert "<audio controls" in html and 'preload="none"' in html

    place.audio = SimpleUploadedFile("virus.exe", b"MZ")
    with pytest.raises(Exception, match="MP3"):
        place.full_clean()


def test_a_plain_visit_counts_no_plaque_scan(client, place):
    client.get(place.url)

    assert not PlaceScanDay.objects.exists()


def test_the_operator_sees_scan_counts_per_place(client, operator, place):
    for _ in range(3):
        client.get(place.url + "?qr=1")

    response = client.get(reverse("places_scan_counts"))

    assert response.status_code == 200
    row = re.search(
        r"<td>Chùa Cầu Hội An</td><td>(\d+)</td><td>(\d+)</td>",
        response.content.decode(),
    )
    assert row is not None and row.groups() == ("3", "3")


def test_a_farmer_does_not_see_scan_counts(client, place):
    client.force_login(UserFactory(username="nongdan-luotquet", is_staff=True))

    response = client.get(reverse("places_scan_counts"))

    assert response.status_code in (302, 403)


def test_open_data_lists_places_with_ward_point_and_category(client, place):
    response = client.get("/api/v1/places/")

    assert response.status_code == 200
    (item,) = response.json()
    assert item["name"] == "Chùa Cầu Hội An"
    assert item["category"] == "di-tich"
    assert item["province_code"] == HOI_AN_PROVINCE
    assert (item["latitude"], item["longitude"]) == (15.8772, 108.3259)
    assert item["url"].endswith(place.url)


def test_open_data_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert "/api/v1/places/" in schema["paths"]


def test_a_ward_of_another_province_is_refused(place):
    place.ward_code = 1  # a ward code outside Đà Nẵng
    with pytest.raises(Exception, match="không thuộc tỉnh"):
        place.full_clean()
