import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from market.checkout.models import Order, OrderStatus
from market.checkout.selectors import order_url
from market.checkout.services import LineRequest, order_place
from market.models import Stock
from tests.factories import (
    HA_NOI,
    HANOI_WARD,
    HCMC,
    seller_create,
    user_create,
    variant_create,
)


@pytest.fixture
def catalogue(home_page, tariffs):
    hanoi = seller_create(home_page, province_code=HA_NOI, name="HTX Chè Thái")
    saigon = seller_create(home_page, province_code=HCMC, name="Hộ Mắm Cần Giờ")
    tea = variant_create(hanoi, title="Chè búp", unit="gói", price_vnd=120_000)
    sauce = variant_create(
        saigon, title="Nước mắm", unit="chai", price_vnd=85_000, on_hand=3
    )
    return tea, sauce


def add(client, variant, quantity, **extra):
    return client.post(
        "/gio-hang/them/",
        {"variant": variant.pk, "quantity": quantity, **extra},
        follow=True,
    )


def test_a_shopper_fills_a_cart_from_two_sellers(client, catalogue):
    tea, sauce = catalogue
    add(client, tea, 2)
    response = add(client, sauce, 1)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/gio-hang/"
    assert "Hàng của HTX Chè Thái" in page and "Hàng của Hộ Mắm Cần Giờ" in page
    assert "325.000" in page  # 2 x 120 000 + 85 000, grouped the Vietnamese way
    assert 'class="count">(3<' in page  # the header count


def test_the_cart_refuses_more_than_is_left_and_says_what_to_do(client, catalogue):
    _, sauce = catalogue
    add(client, sauce, 2)
    response = add(client, sauce, 3, next=sauce.product.url)

    page = response.content.decode()
    assert "chỉ còn 3 chai, bạn đã chọn 5 — hãy giảm số lượng" in page
    assert client.session["cart"] == {str(sauce.pk): 2}


def test_changing_and_removing_lines(client, catalogue):
    tea, sauce = catalogue
    add(client, tea, 1)
    add(client, sauce, 1)
    client.post("/gio-hang/", {"variant": tea.pk, "quantity": 4})
    assert client.session["cart"][str(tea.pk)] == 4
    client.post("/gio-hang/", {"variant": sauce.pk, "quantity": 9})
    assert client.session["cart"][str(sauce.pk)] == 1  # refused, unchanged
    client.post("/gio-hang/", {"variant": sauce.pk, "quantity": 1, "remove": "1"})
    assert client.session["cart"] == {str(tea.pk): 4}


def test_checkout_quotes_each_seller_then_places_the_order(client, catalogue):
    tea, sauce = catalogue
    add(client, tea, 1)
    add(client, sauce, 1)
    form = {
        "customer_name": "Trần Thị Mai",
        "phone": "+84 912 345 678",
        "email": "mai@example.vn",
        "province_code": HA_NOI,
        "address_line": "12 ngõ 34 Đội Cấn",
        "payment_method": "vietqr",
    }
    quote = client.post("/thanh-toan/", {**form, "action": "quote"})
    page = quote.content.decode()
    assert "Phường Ba Đình" in page  # the wards of the chosen province
    # Same province 20 000 + other zone 40 000 (light parcels).
    assert "Phí giao: 20.000" in page and "Phí giao: 40.000" in page
    assert 'name="quoted_total" value="265000"' in page
    assert Order.objects.count() == 0

    placed = client.post(
        "/thanh-toan/",
        {**form, "ward_code": HANOI_WARD, "action": "place", "quoted_total": "265000"},
    )
    order = Order.objects.get()
    assert placed.status_code == 302 and placed["Location"] == order_url(order)
    assert (order.total_vnd, order.phone) == (265_000, "0912345678")
    assert "cart" not in client.session or client.session["cart"] == {}


def test_the_province_step_keeps_what_was_typed_and_goes_on_to_the_ward(
    client, catalogue
):
    tea, _ = catalogue
    add(client, tea, 1)
    before = client.get("/thanh-toan/").content.decode()
    assert "Phường Ba Đình" not in before
    assert "Hiện phường / xã" in before

    page = client.post(
        "/thanh-toan/",
        {
            "customer_name": "Trần Thị Mai",
            "phone": "0912 345 678",
            "province_code": HA_NOI,
            "address_line": "12 ngõ 34 Đội Cấn",
            "action": "quote",
        },
    ).content.decode()

    assert 'value="Trần Thị Mai"' in page
    assert 'value="12 ngõ 34 Đội Cấn"' in page
    start = page.index('name="ward_code"') - 80
    ward_select = page[start : page.index("Phường Ba Đình")]
    assert "autofocus" in ward_select
    assert f'<option value="{HANOI_WARD}"' in page


def test_checkout_refuses_a_total_the_shopper_did_not_see(client, catalogue):
    tea, _ = catalogue
    add(client, tea, 1)
    response = client.post(
        "/thanh-toan/",
        {
            "customer_name": "Mai",
            "phone": "0912345678",
            "province_code": HA_NOI,
            "ward_code": HANOI_WARD,
            "address_line": "12 Đội Cấn",
            "payment_method": "card",
            "action": "place",
            "quoted_total": "1000",
        },
    )
    assert "Tổng tiền đã thay đổi" in response.content.decode()
    assert Order.objects.count() == 0


def test_checkout_explains_a_wrong_phone_number(client, catalogue):
    tea, _ = catalogue
    add(client, tea, 1)
    response = client.post(
        "/thanh-toan/",
        {"phone": "0212345678", "province_code": HA_NOI, "action": "place"},
    )
    page = response.content.decode()
    assert "bắt đầu bằng 03, 05, 07, 08" in page
    assert "Hãy chọn cách thanh toán." in page


def test_the_anonymous_cart_survives_login_and_merges_with_the_saved_one(catalogue):
    tea, sauce = catalogue
    user = user_create("mai")
    on_phone = Client()
    on_phone.force_login(user)
    add(on_phone, sauce, 2)  # saved for the account

    on_laptop = Client()
    add(on_laptop, tea, 1)
    on_laptop.login(username="mai", password="mat-khau-thu-123")
    assert on_laptop.session["cart"] == {str(tea.pk): 1, str(sauce.pk): 2}


def test_the_saved_cart_follows_removals_and_empties_when_the_order_is_placed(
    catalogue,
):
    tea, sauce = catalogue
    user = user_create("lan")
    on_phone = Client()
    on_phone.force_login(user)
    add(on_phone, tea, 1)
    add(on_phone, sauce, 2)
    on_phone.post("/gio-hang/", {"variant": sauce.pk, "quantity": 0})
    elsewhere = Client()
    elsewhere.login(username="lan", password="mat-khau-thu-123")
    assert elsewhere.session["cart"] == {str(tea.pk): 1}

    on_phone.post(
        "/thanh-toan/",
        {
            "customer_name": "Lan",
            "phone": "0912345678",
            "province_code": HA_NOI,
            "ward_code": HANOI_WARD,
            "address_line": "12 Đội Cấn",
            "payment_method": "vietqr",
            "action": "place",
            "quoted_total": "140000",
        },
    )
    assert Order.objects.filter(user=user).count() == 1
    later = Client()
    later.login(username="lan", password="mat-khau-thu-123")
    assert later.session.get("cart", {}) == {}


@pytest.fixture
def order(catalogue, customer, hanoi_address):
    tea, _ = catalogue
    return order_place(
        cart_lines=[LineRequest(tea.pk, 2)],
        customer=customer,
        address=hanoi_address,
        payment_method="vietqr",
    )


def test_the_secret_link_opens_the_order_and_nothing_else_does(client, order):
    response = client.get(order_url(order))
    page = response.content.decode()
    assert response.status_code == 200
    assert order.number in page and "Chè búp" in page and "Chờ thanh toán" in page
    assert response["Referrer-Policy"] == "no-referrer"

    path = reverse("checkout:order", args=[order.number])
    assert client.get(path).status_code == 404
    assert client.get(path + "?t=" + "x" * 43).status_code == 404
    assert client.get(path + "?t=" + order.access_token[:-1]).status_code == 404


def test_the_signed_in_owner_needs_no_token_but_others_do(catalogue, customer):
    tea, _ = catalogue
    owner, stranger = user_create(), user_create()
    from market.checkout.services import ShippingAddress

    placed = order_place(
        cart_lines=[LineRequest(tea.pk, 1)],
        customer=customer,
        address=ShippingAddress(HA_NOI, HANOI_WARD, "12 Đội Cấn"),
        payment_method="card",
        user=owner,
    )
    path = reverse("checkout:order", args=[placed.number])
    client = Client()
    client.force_login(owner)
    assert client.get(path).status_code == 200
    client.force_login(stranger)
    assert client.get(path).status_code == 404


def test_the_order_page_shows_the_timeline(client, order):
    from django.utils import timezone

    from market.checkout.services import order_mark_paid

    order_mark_paid(order=order, paid_at=timezone.now())
    page = client.get(order_url(order)).content.decode()
    assert "Đặt hàng" in page and "Đã thanh toán" in page
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Stock.objects.get(pk=order.lines.get().variant_id).allocated == 2


class QueryCounter:
    """Counts queries across test-client requests (the request_started signal
    resets Django's own query log, so CaptureQueriesContext undercounts)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def queries_for(client, path) -> int:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        assert client.get(path).status_code == 200
    return counter.count


def test_the_cart_page_query_count_does_not_grow_with_lines(client, catalogue):
    tea, sauce = catalogue
    add(client, tea, 1)
    one_line = queries_for(client, "/gio-hang/")
    more = [
        variant_create(tea.product.seller, title=f"Chè {n}", unit="gói")
        for n in range(3)
    ]
    for variant in [sauce, *more]:
        add(client, variant, 1)
    assert queries_for(client, "/gio-hang/") == one_line
    assert one_line <= 6


def test_the_product_page_the_cart_and_the_server_share_one_quantity_limit(
    client, catalogue
):
    tea, _ = catalogue
    Stock.objects.filter(pk=tea.pk).update(on_hand=500)
    limit = settings.ORDER_MAX_UNITS_PER_VARIANT
    product_page = client.get(tea.product.url).content.decode()
    assert 'id="quantity" name="quantity" type="number"' in product_page
    assert f'min="1" max="{limit}"' in product_page

    add(client, tea, limit)
    over = add(client, tea, 1).content.decode()
    assert f"mỗi đơn đặt được tối đa {limit} gói" in over
    assert client.session["cart"] == {str(tea.pk): limit}
    cart_page = client.get("/gio-hang/").content.decode()
    assert f'max="{limit}" value="{limit}"' in cart_page

    typed = client.post(
        "/gio-hang/", {"variant": tea.pk, "quantity": limit + 1}, follow=True
    )
    assert f"Mỗi đơn đặt tối đa {limit} cho một loại hàng." in typed.content.decode()
    assert client.session["cart"] == {str(tea.pk): limit}


def test_a_quantity_of_zero_removes_the_line_and_says_so(client, catalogue):
    tea, sauce = catalogue
    add(client, tea, 1)
    add(client, sauce, 1)
    response = client.post(
        "/gio-hang/", {"variant": tea.pk, "quantity": 0}, follow=True
    )

    page = response.content.decode()
    assert "Đã bỏ sản phẩm khỏi giỏ." in page
    assert "Đã cập nhật giỏ hàng." not in page
    assert client.session["cart"] == {str(sauce.pk): 1}


def test_the_card_order_page_may_load_only_the_gateways_script(catalogue, customer):
    """CSP (#19, item 9): the order page that takes a card adds the card
    gateway's origin to the public policy; a VietQR order page does not."""
    from market.checkout.services import ShippingAddress

    tea, _ = catalogue
    gateway = "http://127.0.0.1:8420"
    pages = {}
    for method in ("card", "vietqr"):
        placed = order_place(
            cart_lines=[LineRequest(tea.pk, 1)],
            customer=customer,
            address=ShippingAddress(HA_NOI, HANOI_WARD, "12 Đội Cấn"),
            payment_method=method,
        )
        pages[method] = Client().get(order_url(placed))

    card = {
        part.split()[0]: part.split()[1:]
        for part in pages["card"]["Content-Security-Policy"].split(";")
    }
    assert f"{gateway}/js.stripe.com/v3/" in pages["card"].content.decode()
    assert card["script-src"][0] == "'self'" and gateway in card["script-src"]
    assert gateway in card["connect-src"]
    assert card["frame-src"] == [gateway]
    assert "'unsafe-inline'" not in pages["card"]["Content-Security-Policy"]
    assert gateway not in pages["vietqr"]["Content-Security-Policy"]
