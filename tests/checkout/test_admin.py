import pytest
from django.urls import reverse

from market.checkout.services import LineRequest, order_place
from market.services.sellers import seller_provision
from tests.factories import (
    HCMC,
    operator_create,
    seller_create,
    user_create,
    variant_create,
)


@pytest.fixture
def shop(home_page, tariffs, customer, hanoi_address):
    tea_seller = seller_create(home_page, name="HTX Chè Thái")
    sauce_seller = seller_create(home_page, province_code=HCMC, name="Hộ Mắm Cần Giờ")
    farmer_a, farmer_b = user_create("chetai"), user_create("mamcangio")
    tea_seller.users.add(farmer_a)
    sauce_seller.users.add(farmer_b)
    for seller in (tea_seller, sauce_seller):
        seller_provision(seller=seller)
    tea = variant_create(tea_seller, title="Chè búp đặc biệt", unit="gói")
    sauce = variant_create(sauce_seller, title="Nước mắm cá cơm", unit="chai")
    order = order_place(
        cart_lines=[LineRequest(tea.pk, 3), LineRequest(sauce.pk, 1)],
        customer=customer,
        address=hanoi_address,
        payment_method="vietqr",
    )
    return {
        "order": order,
        "farmer_a": farmer_a,
        "farmer_b": farmer_b,
        "tea_parcel": order.shipments.get(seller=tea_seller),
        "sauce_parcel": order.shipments.get(seller=sauce_seller),
    }


def test_a_farmer_sees_only_their_own_shipments_with_what_to_pack(client, shop):
    client.force_login(shop["farmer_a"])
    listing = client.get(reverse("shipment:index"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "HTX Chè Thái" in page and "Hộ Mắm Cần Giờ" not in page

    own = client.get(reverse("shipment:inspect", args=[shop["tea_parcel"].pk]))
    assert own.status_code == 200
    page = own.content.decode()
    assert "Chè búp đặc biệt" in page and "12 ngõ 34 Đội Cấn" in page
    assert "Trần Thị Mai" in page


def test_another_sellers_shipment_is_not_found_for_a_farmer(client, shop):
    client.force_login(shop["farmer_b"])
    other = client.get(reverse("shipment:inspect", args=[shop["tea_parcel"].pk]))
    assert other.status_code == 404
    assert (
        client.get(reverse("shipment:index")).content.decode().count("HTX Chè Thái")
        == 0
    )


def test_farmers_cannot_open_the_operators_order_list(client, shop):
    client.force_login(shop["farmer_a"])
    response = client.get(reverse("order:index"))
    assert response.status_code in (302, 403)
    response = client.get(reverse("order:inspect", args=[shop["order"].pk]))
    assert response.status_code in (302, 403)


def test_an_operator_who_is_not_a_superuser_sees_every_shipment_and_order(client, shop):
    operator = operator_create("quantri")
    assert not operator.is_superuser
    client.force_login(operator)
    orders = client.get(reverse("order:index"))
    assert orders.status_code == 200
    assert shop["order"].number in orders.content.decode()
    page = client.get(reverse("shipment:index")).content.decode()
    assert "HTX Chè Thái" in page and "Hộ Mắm Cần Giờ" in page
    order_page = client.get(reverse("order:inspect", args=[shop["order"].pk]))
    assert order_page.status_code == 200
    assert "Nước mắm cá cơm" in order_page.content.decode()
    assert client.get(reverse("shippingtariff:index")).status_code == 200


def test_anonymous_visitors_are_sent_to_login(client, shop):
    response = client.get(reverse("shipment:index"))
    assert response.status_code == 302 and "login" in response["Location"]
