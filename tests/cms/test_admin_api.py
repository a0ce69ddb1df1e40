"""Wagtail's admin API (used by the choosers) works for a farmer."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from tests.factories import SellerFactory
from tests.traceability.staff_helpers import farmer_of

pytestmark = pytest.mark.django_db


def image_in(collection, title):
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 120, 30)).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=title,
        file=ImageFile(buffer, name="anh.png"),
        collection=collection,
    )


@pytest.mark.parametrize("endpoint", ["images", "documents", "pages"])
def test_admin_api_answers_a_farmer(client, endpoint):
    client.force_login(farmer_of(SellerFactory()))

    response = client.get(f"/admin/api/main/{endpoint}/")

    assert response.status_code == 200, response.content[:300]


def test_admin_image_api_lists_the_farmers_login_restricted_collection(client):
    collection = Collection.get_first_root_node().add_child(name="HTX Cam")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    image_in(collection, "Cam Cao Phong")
    client.force_login(farmer_of(SellerFactory()))

    response = client.get("/admin/api/main/images/")

    titles = [item["title"] for item in response.json()["items"]]
    assert titles == ["Cam Cao Phong"]


def test_admin_image_api_still_needs_a_login(client):
    response = client.get("/admin/api/main/images/")

    assert response.status_code in (302, 403)
