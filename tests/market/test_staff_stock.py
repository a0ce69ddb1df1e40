"""A farmer counts the shelf and types the numbers in: the stock page in the
Wagtail admin, only for their own stores."""

import pytest
from django.contrib.auth.models import Permission

from market.models import ProductPage, Stock
from tests.factories import SellerFactory, UserFactory, product_create, store_for

pytestmark = pytest.mark.django_db
URL = "/admin/ton-kho/"


def _farmer(title):
    seller = SellerFactory()
    user = UserFactory()
    seller.users.add(user)
    store_for(seller)  # provisioning puts the user in the seller's group
    product = product_create(
        seller=seller,
        title=title,
        variants=[("500 ml", 85_000, 10), ("1 lít", 150_000, 0)],
    )
    return user, product


@pytest.fixture
def two_farmers():
    return _farmer("Nước mắm Cẩm Thanh"), _farmer("Mật ong bạc hà")


def _field(variant):
    return f"v{variant.pk}-on_hand"


def _shown(variant):
    return f"v{variant.pk}-shown"


def test_a_farmer_sees_and_sets_only_their_own_stock(client, two_farmers):
    (user_a, product_a), (_user_b, product_b) = two_farmers
    small, large = product_a.variants.order_by("sort_order")
    client.force_login(user_a)

    page = client.get(URL).content.decode()
    assert "Cẩm Thanh" in page and "Mật ong" not in page

    response = client.post(
        URL,
        {
            _field(small): "10",  # unchanged
            _shown(small): "10",
            _field(large): "24",
            _shown(large): "0",
            # another farmer's variant, forged into the form: ignored
            _field(product_b.variants.first()): "0",
        },
    )

    assert response.status_code == 302
    assert Stock.objects.get(variant=large).on_hand == 24
    assert Stock.objects.get(variant=product_b.variants.first()).on_hand == 10
    followed = client.get(response["Location"]).content.decode()
    assert "Đã lưu tồn kho của 1 loại hàng." in followed


def test_a_count_below_what_orders_hold_is_refused_and_the_rest_is_saved(
    client, two_farmers
):
    (user_a, product_a), _other = two_farmers
    small, large = product_a.variants.order_by("sort_order")
    Stock.objects.filter(variant=small).update(allocated=4)
    client.force_login(user_a)

    response = client.post(
        URL,
        {
            _field(small): "2",
            _shown(small): "10",
            _field(large): "7",
            _shown(large): "0",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Đang có 4 đơn vị giữ cho đơn hàng" in html  # says why
    assert f'name="{_field(small)}"' in html and 'value="2"' in html  # kept
    assert "1 dòng khác đã được lưu" in html
    assert Stock.objects.get(variant=small).on_hand == 10
    assert Stock.objects.get(variant=large).on_hand == 7


def test_bad_input_says_what_to_type(client, two_farmers):
    (user_a, product_a), _other = two_farmers
    small = product_a.variants.order_by("sort_order").first()
    client.force_login(user_a)

    html = client.post(URL, {_field(small): "-3", _shown(small): "10"}).content.decode()

    assert "Số lượng không được âm." in html
    assert Stock.objects.get(variant=small).on_hand == 10


def test_a_sale_after_the_page_opened_is_not_undone_by_an_untouched_row(
    client, two_farmers
):
    (user_a, product_a), _other = two_farmers
    small, large = product_a.variants.order_by("sort_order")
    client.force_login(user_a)
    client.get(URL)  # the page shows 10 and 0
    Stock.objects.filter(variant=small).update(on_hand=8)  # 2 shipped meanwhile

    client.post(
        URL,
        {
            _field(small): "10",  # untouched: still what the page showed
            _shown(small): "10",
            _field(large): "5",
            _shown(large): "0",
        },
    )

    assert Stock.objects.get(variant=small).on_hand == 8
    assert Stock.objects.get(variant=large).on_hand == 5


def test_setting_stock_to_zero_takes_the_product_out_of_stock(client, two_farmers):
    (user_a, product_a), _other = two_farmers
    small, large = product_a.variants.order_by("sort_order")
    client.force_login(user_a)

    client.post(
        URL,
        {
            _field(small): "0",
            _shown(small): "10",
            _field(large): "0",
            _shown(large): "0",
        },
    )

    assert ProductPage.objects.get(pk=product_a.pk).in_stock is False


def test_an_admin_user_without_a_store_may_not_open_it(client, db):
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    response = client.get(URL)
    # Wagtail answers PermissionDenied by sending the user back to the dashboard.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
