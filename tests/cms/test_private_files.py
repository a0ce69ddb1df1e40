"""Private files (#19, item 3): certificate scans and label PDFs are never at a
public URL, have random stored names, and only a view that checks the user
serves them (streamed, X-Accel-Redirect, or a presigned redirect)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cms.private_files import NoPublicURL, PrivateFileSystemStorage
from market.models import CertificationKind
from market.services.certifications import certification_submit
from tests.factories import (
    FarmFactory,
    LotFactory,
    SellerFactory,
    market_ensure,
    operator_create,
    png_bytes,
    seller_with_login,
)
from traceability.services.labels import label_run_create, label_run_render

pytestmark = pytest.mark.django_db

UPLOADED_NAME = "Nguyen-Van-An-0912345678.png"


def _scan(seller, user, number="VG-1"):
    return certification_submit(
        seller=seller,
        user=user,
        data={
            "kind": CertificationKind.VIETGAP,
            "number": number,
            "issuer": "Quacert",
            "scope": "Rau, 2 ha",
            "issued_on": None,
            "valid_until": dt.date(2027, 1, 1),
            "product": None,
        },
        upload=SimpleUploadedFile(UPLOADED_NAME, png_bytes(), "image/png"),
    )


@pytest.fixture
def two_farmers(home_page):
    market_ensure()
    return seller_with_login(legal_name="Nhà An"), seller_with_login(
        legal_name="Nhà Bình"
    )


def test_a_certificate_scan_is_stored_privately_under_a_random_name(two_farmers):
    (seller, user, _store), _b = two_farmers

    first, second = _scan(seller, user), _scan(seller, user, number="VG-2")

    assert "Nguyen" not in first.scan.name
    assert "0912345678" not in first.scan.name
    assert first.scan.name != second.scan.name
    assert first.scan.name.endswith(".png")
    assert first.scan.storage is storages["private"]
    with pytest.raises(NoPublicURL, match="no public URL"):
        first.scan.url  # noqa: B018


def test_private_files_are_not_served_at_their_old_public_paths(client, two_farmers):
    (seller, user, _store), _b = two_farmers
    certification = _scan(seller, user)
    farm = FarmFactory(seller=seller)
    run = label_run_render(
        run=label_run_create(
            lot=LotFactory(farm=farm, variant__product__seller=seller), count=2
        )
    )
    client.force_login(user)

    for name in (certification.scan.name, run.pdf.name):
        assert client.get(f"/media/{name}").status_code == 404
    # Where Wagtail kept certificate scans before, by the uploaded name.
    assert client.get(f"/media/documents/{UPLOADED_NAME}").status_code == 404
    # And the files really exist, just not under MEDIA_ROOT.
    assert certification.scan.storage.exists(certification.scan.name)
    assert run.pdf.storage.exists(run.pdf.name)


def test_only_the_seller_and_the_operator_open_a_certificate_scan(client, two_farmers):
    (seller_a, user_a, _s), (_seller_b, user_b, _s2) = two_farmers
    certification = _scan(seller_a, user_a)
    url = reverse("certification_scan", args=[certification.pk])

    assert client.get(url).status_code == 404  # anonymous
    client.force_login(user_b)
    assert client.get(url).status_code == 404  # another farmer
    for user in (user_a, operator_create()):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert "private, no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == png_bytes()
        assert "Nguyen" not in response["Content-Disposition"]


def test_the_certificate_page_links_the_scan_through_the_checked_view(
    client, two_farmers
):
    (seller, user, _s), _b = two_farmers
    certification = _scan(seller, user)
    client.force_login(user)

    page = client.get(reverse("certifications:inspect", args=[certification.pk]))

    assert page.status_code == 200
    assert reverse("certification_scan", args=[certification.pk]) in page.text
    assert "/media/" not in page.text.split("<main", 1)[-1]


def test_x_accel_mode_hands_the_file_to_nginx(client, settings, two_farmers):
    (seller, user, _s), _b = two_farmers
    certification = _scan(seller, user)
    settings.PRIVATE_MEDIA_SERVE = "x-accel"
    settings.PRIVATE_MEDIA_X_ACCEL_PREFIX = "/_private/"
    client.force_login(user)

    response = client.get(reverse("certification_scan", args=[certification.pk]))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{certification.scan.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"


class NoLocalPathStorage(FileSystemStorage):
    """Stands for object storage: files have no local path, and `url` is the
    storage's own (for S3, a short-lived presigned URL)."""

    def path(self, name):
        raise NotImplementedError

    def url(self, name):
        return f"https://bucket.example/{name}?X-Amz-Expires=60"


def test_a_storage_without_local_paths_redirects_to_its_signed_url(
    client, settings, tmp_path, two_farmers
):
    (seller, user, _s), _b = two_farmers
    certification = _scan(seller, user)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": f"{__name__}.NoLocalPathStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client.force_login(user)

    response = client.get(reverse("certification_scan", args=[certification.pk]))

    assert response.status_code == 302
    assert response["Location"] == (
        f"https://bucket.example/{certification.scan.name}?X-Amz-Expires=60"
    )


def test_the_private_folder_is_outside_media_root(settings):
    storage = PrivateFileSystemStorage()
    media = str(settings.MEDIA_ROOT.resolve())
    assert not storage.location.startswith(media + "/")
    assert storage.location != media


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_existing_scans_off_the_public_folder(home_page):
    """A scan uploaded before: a Wagtail document under /media/documents/
    with the uploaded name. After the migration it is in private storage
    under a random name, and the public copy and document are gone."""
    seller = SellerFactory()  # the seller table is the same before and after
    executor = MigrationExecutor(connection)
    before = [("market", "0004_merge_0002_tax_withholding_0003_gtin_normalise_rows")]
    after = [("market", "0006_remove_certification_document")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Document = apps.get_model("wagtaildocs", "Document")
    Collection = apps.get_model("wagtailcore", "Collection")
    Certification = apps.get_model("market", "Certification")
    public = storages["default"]
    document = Document.objects.create(
        title="Giấy",
        file=ContentFile(png_bytes(), name=UPLOADED_NAME),
        collection=Collection.objects.order_by("depth").first(),
    )
    public_name = document.file.name
    assert public.exists(public_name)
    old = Certification.objects.create(
        seller_id=seller.pk, kind="vietgap", number="VG-cu", document=document
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    # Going back to market 0004 also took back every app that depends on a
    # later market migration (tickets, notifications…): put them all back.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from market.models import Certification as Current

    moved = Current.objects.get(pk=old.pk)
    assert moved.scan.name.startswith("certificates/")
    assert "Nguyen" not in moved.scan.name
    assert moved.scan.read() == png_bytes()
    assert not public.exists(public_name)
    assert (
        not apps.get_model("wagtaildocs", "Document")
        .objects.filter(pk=document.pk)
        .exists()
    )


def test_editing_a_certificate_without_a_new_file_keeps_its_scan(client, two_farmers):
    (seller, user, _s), _b = two_farmers
    certification = _scan(seller, user)
    stored = certification.scan.name
    client.force_login(user)
    edit = reverse("certifications:edit", args=[certification.pk])
    assert client.get(edit).status_code == 200  # the form renders no file URL

    response = client.post(
        edit,
        {
            "seller": seller.pk,
            "product": "",
            "kind": "vietgap",
            "number": "VG-1",
            "issuer": "Quacert",
            "scope": "Rau, 3 ha",
            "issued_on": "",
            "valid_until": "01/01/2027",
            "stars": "",
            "ocop_level": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:1500]
    certification.refresh_from_db()
    assert certification.scope == "Rau, 3 ha"
    assert certification.scan.name == stored
    assert certification.scan.storage.exists(stored)
