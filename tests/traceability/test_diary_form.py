"""The phone-friendly diary form in the admin."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from tests.factories import DiaryEntryFactory, FarmFactory
from tests.traceability.staff_helpers import farmer_of
from traceability.models import DiaryEntry
from traceability.selectors_scan import DIARY_PHOTO_SPEC

pytestmark = pytest.mark.django_db

ADD = "/admin/truy-xuat/nhat-ky/ghi/"
INDEX = "/admin/truy-xuat/nhat-ky/"


def now_field() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def photo(fmt: str = "PNG", name: str = "la.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (90, 140, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def farm():
    return FarmFactory(name="Vườn cam Cao Phong")


@pytest.fixture
def farmer(client, farm):
    user = farmer_of(farm.seller)
    client.force_login(user)
    return user


def test_form_preselects_the_only_farm_and_the_time_now(client, farmer, farm):
    html = client.get(ADD).content.decode()

    assert f'value="{farm.pk}"' in html
    assert "checked" in html.split(f'value="{farm.pk}"', 1)[1].split(">", 1)[0]
    assert f'value="{now_field()[:13]}' in html  # same hour at least
    for kind in ("Gieo trồng", "Bón phân / phun thuốc", "Tưới nước", "Thu hoạch"):
        assert kind in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html


def test_an_observation_is_recorded_in_one_post(client, farmer, farm):
    response = client.post(
        ADD,
        {
            "farm": farm.pk,
            "kind": "observation",
            "occurred_at": now_field(),
            "note": "Lá vàng ở góc vườn",
        },
    )

    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.farm, entry.kind, entry.note) == (
        farm,
        "observation",
        "Lá vàng ở góc vườn",
    )
    assert entry.recorded_by == farmer
    assert "Lá vàng ở góc vườn" in client.get(INDEX).content.decode()


def test_input_fields_typed_before_switching_kind_are_dropped(client, farmer, farm):
    client.post(
        ADD,
        {
            "farm": farm.pk,
            "kind": "irrigation",
            "occurred_at": now_field(),
            "input_type": "pesticide",
            "input_product": "Thuốc cũ",
            "pre_harvest_days": "7",
        },
    )

    entry = DiaryEntry.objects.get()
    assert (entry.input_product, entry.pre_harvest_days) == ("", None)


def test_a_pesticide_without_its_waiting_days_is_refused_with_advice(
    client, farmer, farm
):
    response = client.post(
        ADD,
        {
            "farm": farm.pk,
            "kind": "input",
            "occurred_at": now_field(),
            "input_type": "pesticide",
            "input_product": "Regent 800WG",
        },
    )

    assert response.status_code == 200
    assert "thời gian cách ly" in response.content.decode()
    assert not DiaryEntry.objects.exists()


def test_a_pesticide_with_all_fields_is_recorded(client, farmer, farm):
    client.post(
        ADD,
        {
            "farm": farm.pk,
            "kind": "input",
            "occurred_at": now_field(),
            "input_type": "pesticide",
            "input_product": "Thuốc sinh học Bt",
            "active_ingredient": "Bacillus thuringiensis",
            "dose": "20 ml / bình 16 lít",
            "pre_harvest_days": "5",
        },
    )

    entry = DiaryEntry.objects.get()
    assert (entry.input_type, entry.pre_harvest_days) == ("pesticide", 5)


def test_a_real_photo_is_stored_as_a_wagtail_image(client, farmer, farm):
    client.post(
        ADD,
        {
            "farm": farm.pk,
            "kind": "harvest",
            "occurred_at": now_field(),
            "photo": photo("WEBP", "thu-hoach.webp"),
        },
    )

    entry = DiaryEntry.objects.get()
    assert entry.photo is not None
    assert entry.photo.width == 64
    assert entry.photo.renditions.filter(filter_spec=DIARY_PHOTO_SPEC).exists()


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(client, farmer, farm):
    fake = SimpleUploadedFile(
        "anh.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"
    )

    response = client.post(
        ADD,
        {"farm": farm.pk, "kind": "harvest", "occurred_at": now_field(), "photo": fake},
    )

    assert response.status_code == 200
    assert "không phải ảnh" in response.content.decode()
    assert not DiaryEntry.objects.exists()
    assert not get_image_model().objects.exists()


def test_a_gif_is_refused(client, farmer, farm):
    response = client.post(
        ADD,
        {
            "farm": farm.pk,
            "kind": "harvest",
            "occurred_at": now_field(),
            "photo": photo("GIF", "a.gif"),
        },
    )

    assert "Chỉ nhận ảnh JPEG, PNG hoặc WebP" in response.content.decode()


def test_correcting_adds_a_new_entry_pointing_at_the_old_one(client, farmer, farm):
    old = DiaryEntryFactory(
        farm=farm,
        kind="input",
        input_type="fertiliser",
        input_product="NPK 16-16-8",
        dose="50 kg",
        occurred_at=timezone.now() - dt.timedelta(days=2),
    )
    form = client.get(ADD, {"corrects": old.pk}).content.decode()
    assert 'value="NPK 16-16-8"' in form

    client.post(
        ADD,
        {
            "corrects": old.pk,
            "farm": farm.pk,
            "kind": "input",
            "occurred_at": timezone.localtime(old.occurred_at).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "input_type": "fertiliser",
            "input_product": "NPK 16-16-8",
            "dose": "30 kg",
        },
    )

    old.refresh_from_db()
    new = DiaryEntry.objects.exclude(pk=old.pk).get()
    assert (new.corrects, new.dose, old.dose) == (old, "30 kg", "50 kg")
    assert DiaryEntry.objects.count() == 2


def test_an_entry_is_corrected_only_once(client, farmer, farm):
    old = DiaryEntryFactory(
        farm=farm, occurred_at=timezone.now() - dt.timedelta(days=1)
    )
    DiaryEntryFactory(
        farm=farm, corrects=old, occurred_at=timezone.now() - dt.timedelta(days=1)
    )

    response = client.post(
        ADD,
        {
            "corrects": old.pk,
            "farm": farm.pk,
            "kind": "observation",
            "occurred_at": now_field(),
        },
    )

    assert response.status_code == 200
    assert "đã được sửa rồi" in response.content.decode()
    assert DiaryEntry.objects.count() == 2


def test_farmer_cannot_write_or_correct_another_sellers_diary(client, farmer):
    other = FarmFactory(name="Vườn nhà khác")
    theirs = DiaryEntryFactory(farm=other, note="Ghi chép của nhà khác")

    write = client.post(
        ADD, {"farm": other.pk, "kind": "observation", "occurred_at": now_field()}
    )
    correct = client.get(ADD, {"corrects": theirs.pk})
    listing = client.get(INDEX).content.decode()

    assert write.status_code == 200 and DiaryEntry.objects.count() == 1
    assert correct.status_code == 404
    assert "Vườn nhà khác" not in client.get(ADD).content.decode()
    assert "Ghi chép của nhà khác" not in listing


def test_list_shows_entries_whose_writer_account_was_deleted(client, farmer, farm):
    writer = farmer_of(farm.seller)
    DiaryEntryFactory(
        farm=farm,
        recorded_by=writer,
        occurred_at=timezone.now(),
        note="Tưới gốc buổi sáng",
    )
    writer.delete()

    response = client.get(INDEX)

    assert response.status_code == 200
    assert "Tưới gốc buổi sáng" in response.content.decode()
    assert "Tài khoản người ghi đã bị xoá" in response.content.decode()
