"""A farmer imports their own price list in the Wagtail admin:
upload → preview → confirm, only into their own store."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from market.models import Certification, ProductPage, ReviewStatus, Variant
from tests.factories import SellerFactory, UserFactory, store_for, valid_tax_code
from tests.market.test_import import csv_text, row

pytestmark = pytest.mark.django_db
URL = "/admin/nhap-hang/"


@pytest.fixture
def farmer():
    seller = SellerFactory()
    user = UserFactory()
    seller.users.add(user)
    store_for(seller)  # provisioning puts the user in the seller's group
    return user, seller


def upload(client, seller, text, name="bang-gia.csv", encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(
        URL,
        {
            "action": "preview",
            "seller": seller.pk,
            "file": SimpleUploadedFile(name, data, content_type="text/csv"),
        },
    )


def test_farmer_previews_then_confirms_an_import_into_their_store(client, farmer):
    user, seller = farmer
    client.force_login(user)
    text = csv_text(row(seller.tax_code), row(seller.tax_code, variant="1 lít"))

    preview = upload(client, seller, text)

    html = preview.content.decode()
    assert preview.status_code == 200
    assert "1 sản phẩm mới" in html and "2 loại hàng mới" in html
    assert not ProductPage.objects.filter(seller=seller).exists()
    digest = preview.context["digest"]

    done = client.post(URL, {"action": "confirm", "sha256": digest})

    assert done.status_code == 302
    product = ProductPage.objects.get(seller=seller)
    assert product.live is False  # a draft, sent through moderation
    assert Variant.objects.filter(product=product).count() == 2
    assert Certification.objects.get(seller=seller).status == ReviewStatus.PENDING


def test_rows_of_another_seller_are_errors_and_nothing_is_written(client, farmer):
    user, seller = farmer
    other = valid_tax_code()
    client.force_login(user)

    preview = upload(
        client,
        seller,
        csv_text(row(seller.tax_code), row(other, product_name="Hàng lạ")),
    )

    html = preview.content.decode()
    assert "Dòng 3:" in html and "không phải của cửa hàng bạn" in html
    assert "Xác nhận nhập" not in html
    assert client.post(URL, {"action": "confirm", "sha256": "x"}).status_code == 302
    assert not ProductPage.objects.exists()


def test_farmer_cannot_pick_another_sellers_store(client, farmer):
    user, _seller = farmer
    stranger = SellerFactory()
    store_for(stranger)
    client.force_login(user)

    response = upload(client, stranger, csv_text(row(stranger.tax_code)))

    assert response.status_code == 200
    assert response.context["form"].errors["seller"]
    assert not ProductPage.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_a_way_forward(client, farmer):
    user, seller = farmer
    client.force_login(user)

    response = upload(client, seller, csv_text(row(seller.tax_code)), encoding="utf-16")

    assert "CSV UTF-8" in str(response.context["form"].errors["file"])


def test_a_file_without_the_catalogue_header_is_refused(client, farmer):
    user, seller = farmer
    client.force_login(user)

    response = upload(client, seller, "ten,gia\nMắm,1\n")

    assert "thiếu cột" in response.content.decode()
    assert "Xác nhận nhập" not in response.content.decode()


def test_a_user_without_a_store_cannot_open_the_import(client):
    staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(staff)

    response = client.get(URL)

    # Wagtail turns a refusal in the admin into a redirect with a message.
    assert response.status_code == 302 and response.url == "/admin/"
