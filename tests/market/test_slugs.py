"""Slugs read "đ" as "d", and old addresses redirect to the new ones."""

import pytest

from market.models import ProductPage, StorePage
from market.services.slugs import page_slugs_repair
from market.slugs import vietnamese_slug
from tests.factories import market_ensure, product_in, seller_with_login

pytestmark = pytest.mark.django_db


def test_vietnamese_slug_keeps_d():
    assert vietnamese_slug("HTX Dừa Hương Đảo") == "htx-dua-huong-dao"
    assert vietnamese_slug("Đặc sản Đà Nẵng") == "dac-san-da-nang"


def test_a_new_store_slug_keeps_the_d(home_page):
    market_ensure()

    _seller, _user, store = seller_with_login(legal_name="HTX Dừa Hương Đảo")

    assert store.slug == "htx-dua-huong-dao"


def test_a_page_saved_with_a_unicode_slug_gets_an_ascii_one(home_page):
    market_ensure()
    _seller, _user, store = seller_with_login()
    product = product_in(store, title="Mật ong Đồng Tháp")

    product.slug = "mật-ong-đồng-tháp"
    product.save_revision().publish()

    assert ProductPage.objects.get(pk=product.pk).slug == "mat-ong-dong-thap"


def test_an_old_store_slug_is_repaired_and_the_old_address_redirects(
    client, home_page, django_capture_on_commit_callbacks
):
    market_ensure()
    _seller, _user, store = seller_with_login(legal_name="HTX Dừa Hương Đảo")
    product = product_in(store, title="Kẹo dừa")
    # As the store was made before: Django's slugify dropped the "Đ".
    with django_capture_on_commit_callbacks(execute=True):
        store.slug = "htx-dua-huong-ao"
        store.save_revision().publish()
        from wagtail.contrib.redirects.models import Redirect

        Redirect.objects.all().delete()
    old_store_url = StorePage.objects.get(pk=store.pk).get_url()
    assert old_store_url.endswith("/htx-dua-huong-ao/")
    old_product_url = ProductPage.objects.get(pk=product.pk).get_url()

    with django_capture_on_commit_callbacks(execute=True):
        changed = page_slugs_repair()

    assert changed == [("htx-dua-huong-ao", "htx-dua-huong-dao")]
    store = StorePage.objects.get(pk=store.pk)
    assert store.slug == "htx-dua-huong-dao"
    assert store.latest_revision.content["slug"] == "htx-dua-huong-dao"
    response = client.get(old_store_url)
    assert response.status_code == 301
    assert response["Location"].endswith(store.get_url())
    assert client.get(store.get_url()).status_code == 200
    product_response = client.get(old_product_url)
    assert product_response.status_code == 301
    assert "htx-dua-huong-dao" in product_response["Location"]
    # Running again changes nothing.
    assert page_slugs_repair() == []
