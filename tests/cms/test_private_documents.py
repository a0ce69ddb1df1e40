"""Wagtail documents are private files (#16): never under MEDIA_ROOT, served
only by Wagtail's document view after its collection check; a seller's
documents (restricted collection) only to the seller and the operator."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.apps import apps as global_apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.utils import sendfile as wagtail_sendfile

from tests.factories import market_ensure, operator_create, seller_with_login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% hop dong thue dat, CCCD 0380xxxxxxx\n%%EOF\n"
UPLOADED_NAME = "hop-dong-Nguyen-Van-An.pdf"


@pytest.fixture
def two_farmers(home_page):
    market_ensure()
    return seller_with_login(legal_name="Nhà An"), seller_with_login(
        legal_name="Nhà Bình"
    )


def _upload_in_admin(client, user, collection, *, title="Hợp đồng thuê đất"):
    client.force_login(user)
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": title,
            "file": SimpleUploadedFile(UPLOADED_NAME, PDF, "application/pdf"),
            "collection": str(collection.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:800]
    client.logout()
    return get_document_model().objects.get(title=title)


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_a_farmers_document_is_stored_privately_not_under_media(client, two_farmers):
    (seller, user, _store), _b = two_farmers

    document = _upload_in_admin(client, user, seller.collection)

    name = document.file.name
    assert name.startswith("documents/")
    assert storages["private"].exists(name)
    assert not storages["public"].exists(name)
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/documents/{UPLOADED_NAME}").status_code == 404


def test_only_the_seller_and_the_operator_open_a_farmers_document(client, two_farmers):
    (seller_a, user_a, _s), (_seller_b, user_b, _s2) = two_farmers
    document = _upload_in_admin(client, user_a, seller_a.collection)

    anonymous = client.get(document.url)
    assert anonymous.status_code == 302  # to the sign-in page
    assert PDF not in _body(anonymous)
    client.force_login(user_b)
    other_farmer = client.get(document.url)
    assert other_farmer.status_code != 200
    assert PDF not in _body(other_farmer)

    for user in (user_a, operator_create()):
        client.force_login(user)
        response = client.get(document.url)
        assert response.status_code == 200
        assert _body(response) == PDF
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_public_document_is_open_to_everyone(client, home_page):
    document = get_document_model().objects.create(
        title="Quy chế chợ",
        file=ContentFile(PDF, name="quy-che-cho.pdf"),
        collection=Collection.get_first_root_node(),
    )
    assert storages["private"].exists(document.file.name)

    response = client.get(document.url)

    assert response.status_code == 200
    assert _body(response) == PDF
    assert "private" not in response.get("Cache-Control", "")


@pytest.fixture
def x_accel(settings):
    settings.PRIVATE_MEDIA_SERVE = "x-accel"
    settings.SENDFILE_BACKEND = "cms.private_files"
    wagtail_sendfile._get_sendfile.clear()
    yield
    wagtail_sendfile._get_sendfile.clear()


def test_under_x_accel_nginx_sends_the_document_after_the_check(
    client, two_farmers, x_accel
):
    (seller, user, _store), _b = two_farmers
    document = _upload_in_admin(client, user, seller.collection)

    assert "X-Accel-Redirect" not in client.get(document.url)  # anonymous
    client.force_login(user)
    response = client.get(document.url)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{document.file.name}"
    assert _body(response) == b""
    assert document.filename in response["Content-Disposition"]


def _migration():
    return importlib.import_module("cms.migrations.0004_documents_private")


def _document_in_public_storage(name: str, content: bytes):
    """A document uploaded before this change: its file in public media."""
    stored = storages["public"].save(name, ContentFile(content))
    document = get_document_model().objects.create(
        title=name,
        file=ContentFile(b"x", name="placeholder.pdf"),
        collection=Collection.get_first_root_node(),
    )
    storages["private"].delete(document.file.name)
    get_document_model().objects.filter(pk=document.pk).update(file=stored)
    document.refresh_from_db()
    return document


def test_the_migration_moves_earlier_documents_off_public_media(client, home_page):
    unique = uuid.uuid4().hex[:8]  # the test folders outlive one test
    document = _document_in_public_storage(f"documents/{unique}-{UPLOADED_NAME}", PDF)
    name = document.file.name
    # The clash case: the private storage already has a file by that name.
    taken = _document_in_public_storage(f"documents/{unique}-giay.pdf", b"%PDF-1.4 B")
    storages["private"].save(taken.file.name, ContentFile(b"something else"))
    assert client.get(f"/media/{name}").status_code == 200  # the old leak

    _migration().documents_to_private(global_apps, None)

    assert not storages["public"].exists(name)
    assert client.get(f"/media/{name}").status_code == 404
    document.refresh_from_db()
    assert document.file.name == name
    assert _body(client.get(document.url)) == PDF
    taken_before = taken.file.name
    taken.refresh_from_db()
    assert taken.file.name != taken_before
    assert storages["private"].open(taken.file.name).read() == b"%PDF-1.4 B"
    assert not storages["public"].exists(taken_before)
