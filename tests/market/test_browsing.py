"""Public browsing: the market index, store and product pages."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.models import CertificationKind, OcopCategory, Stock
from tests.factories import (
    CAN_THO,
    PHU_THO,
    SellerFactory,
    certification_create,
    market_ensure,
    product_create,
    product_photo_add,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    return market_ensure()


def titles(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', html)


def test_market_page_lists_live_products_with_price_and_seller(client, market):
    product_create(title="Nước mắm Cẩm Thanh", variants=[("500 ml", 85_000, 3)])
    product_create(title="Bản nháp", live=False)

    response = client.get("/cho/")

    assert response.status_code == 200
    assert titles(response) == ["Nước mắm Cẩm Thanh"]
    assert "85.000\xa0₫" in response.content.decode()


def test_market_filters_by_province(client, market):
    product_create(title="Nước mắm", seller=SellerFactory())
    product_create(
        title="Su su Tam Đảo",
        seller=SellerFactory(province_code=PHU_THO, ward_code=None),
    )

    response = client.get("/cho/", {"province": PHU_THO})

    assert titles(response) == ["Su su Tam Đảo"]


def test_market_filters_by_group_stars_vietgap_price_and_stock(client, market):
    tea = product_create(
        title="Chè Tân Cương",
        category=OcopCategory.DRINK,
        variants=[("200 g", 120_000, 4)],
    )
    certification_create(product=tea, stars=4)
    chayote = product_create(title="Su su", variants=[("1 kg", 25_000, 0)])
    certification_create(product=chayote, kind=CertificationKind.VIETGAP)
    rice = product_create(title="Gạo ST25", variants=[("5 kg", 190_000, 9)])
    certification_create(product=rice, stars=3)

    assert titles(client.get("/cho/", {"category": "do-uong"})) == ["Chè Tân Cương"]
    assert titles(client.get("/cho/", {"stars": "4"})) == ["Chè Tân Cương"]
    assert titles(client.get("/cho/", {"vietgap": "on"})) == ["Su su"]
    assert sorted(titles(client.get("/cho/", {"in_stock": "on"}))) == [
        "Chè Tân Cương",
        "Gạo ST25",
    ]
    assert titles(
        client.get("/cho/", {"price_min": 100_000, "price_max": 150_000})
    ) == ["Chè Tân Cương"]


def test_market_sorts_by_price_and_stars(client, market):
    a = product_create(title="Rẻ", variants=[("1", 10_000, 1)])
    b = product_create(title="Đắt", variants=[("1", 900_000, 1)])
    c = product_create(title="Vừa", variants=[("1", 50_000, 1)])
    certification_create(product=c, stars=5)
    certification_create(product=a, stars=3)
    del b

    assert titles(client.get("/cho/", {"sort": "price_asc"})) == ["Rẻ", "Vừa", "Đắt"]
    assert titles(client.get("/cho/", {"sort": "price_desc"})) == ["Đắt", "Vừa", "Rẻ"]
    assert titles(client.get("/cho/", {"sort": "stars"}))[:2] == ["Vừa", "Rẻ"]
    assert titles(client.get("/cho/"))[0] == "Vừa"  # newest first


def test_market_paginates_and_keeps_the_filters_in_page_links(
    client, market, monkeypatch
):
    monkeypatch.setattr("market.browse.PAGE_SIZE", 2)
    seller = SellerFactory()
    for n in range(5):
        product_create(seller=seller, title=f"Sản phẩm {n}")

    first = client.get("/cho/", {"sort": "price_asc"})
    last = client.get("/cho/", {"sort": "price_asc", "page": 3})

    assert len(titles(first)) == 2
    assert "sort=price_asc&amp;page=2" in first.content.decode()
    assert len(titles(last)) == 1


def test_an_invalid_filter_is_shown_not_fatal(client, market):
    product_create(title="Mật ong bạc hà")

    response = client.get("/cho/", {"price_min": "rẻ"})

    assert response.status_code == 200
    assert titles(response) == ["Mật ong bạc hà"]
    assert 'class="errorlist"' in response.content.decode()


def _count_queries(client, url) -> tuple[int, int]:
    client.get(url)  # first hit makes image renditions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.content)


@pytest.mark.parametrize("url_of", ["market", "store"])
def test_list_pages_cost_the_same_queries_for_2_or_12_products(client, market, url_of):
    seller = SellerFactory()

    def add(n):
        for i in range(n):
            product = product_create(
                seller=seller,
                title=f"Hàng {i} {n}",
                variants=[("1", 20_000, 1), ("2", 30_000, 0)],
            )
            certification_create(product=product, stars=4)
            product_photo_add(product=product, alt_text="Chai nước mắm")

    add(2)
    url = "/cho/" if url_of == "market" else seller.store_page.url
    small, _size = _count_queries(client, url)
    add(10)
    large, size = _count_queries(client, url)

    assert large == small
    assert size < 50 * 1024


def test_product_page_queries_do_not_grow_with_variants_photos_and_badges(
    client, market
):
    few = product_create(title="Ít", variants=[("1", 20_000, 1)])
    many = product_create(
        title="Nhiều", variants=[(f"{n} kg", 20_000 + n * 1000, n) for n in range(8)]
    )
    for _ in range(3):
        product_photo_add(product=many)
        certification_create(product=many, stars=4)
    product_photo_add(product=few)
    certification_create(product=few, stars=4)

    assert _count_queries(client, few.url)[0] == _count_queries(client, many.url)[0]


def test_product_page_has_a_cart_form_that_works_without_javascript(client, market):
    product = product_create(variants=[("500 ml", 85_000, 0), ("1 lít", 150_000, 4)])
    sold_out, available = product.variants.order_by("sort_order")

    html = client.get(product.url).content.decode()

    assert 'action="/gio-hang/them/"' in html and 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    assert re.search(rf'name="variant"[^>]*value="{sold_out.pk}" disabled', html)
    assert re.search(rf'name="variant"[^>]*value="{available.pk}" checked', html)
    assert 'name="quantity"' in html and '<label for="quantity">' in html


def test_product_page_shows_badges_with_expired_ones_marked(client, market):
    import datetime as dt

    product = product_create()
    certification_create(product=product, stars=3, number="OCOP-2024-1")
    certification_create(
        product=product,
        kind=CertificationKind.VIETGAP,
        number="VG-9",
        valid_until=dt.date.today() - dt.timedelta(days=1),
    )

    html = client.get(product.url).content.decode()

    assert '<span class="badge">OCOP 3 sao</span>' in html
    assert '<span class="badge expired">VietGAP (hết hạn)</span>' in html


def test_product_page_has_breadcrumbs_and_product_json_ld(client, market):
    product = product_create(
        title="Mè xửng Huế", variants=[("250 g", 45_000, 2, "8930000000019")]
    )
    certification_create(product=product, stars=4)

    html = client.get(product.url).content.decode()

    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert ">Chợ</a>" in crumbs and product.seller.legal_name in crumbs
    assert 'aria-current="page">Mè xửng Huế<' in crumbs
    data = json.loads(
        re.search(
            r'<script type="application/ld\+json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["@type"] == "Product" and data["name"] == "Mè xửng Huế"
    offer = data["offers"][0]
    assert offer["price"] == 45_000 and offer["priceCurrency"] == "VND"
    assert offer["gtin13"] == "8930000000019"
    assert offer["availability"] == "https://schema.org/InStock"
    assert data["award"] == ["OCOP 4 sao"]


def test_json_ld_cannot_be_broken_out_of_by_a_product_name(client, market):
    product = product_create(title="</script><script>alert(1)</script>")

    html = client.get(product.url).content.decode()

    ld = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    ).group(1)
    assert "<" not in ld
    assert json.loads(ld)["name"] == "</script><script>alert(1)</script>"


def test_product_photos_are_small_lazy_webp_with_size_and_alt(client, market):
    product = product_create()
    product_photo_add(product=product, alt_text="Chai nước mắm trên bàn gỗ")

    html = client.get(product.url).content.decode()

    img = re.search(r"<img [^>]+>", html.split("<main", 1)[1]).group(0)
    assert ".webp" in img and 'loading="lazy"' in img
    assert re.search(r'width="\d+"', img) and re.search(r'height="\d+"', img)
    assert 'alt="Chai nước mắm trên bàn gỗ"' in img


def test_store_page_lists_only_its_own_products(client, market):
    mine = SellerFactory(province_code=CAN_THO, ward_code=None)
    product_create(seller=mine, title="Gạo ST25")
    product_create(title="Hàng người khác")

    response = client.get(mine.store_page.url)

    assert titles(response) == ["Gạo ST25"]
    assert "Thành phố Cần Thơ" in response.content.decode()


def test_out_of_stock_product_cannot_be_added_to_the_cart(client, market):
    product = product_create(variants=[("1 kg", 30_000, 1)])
    Stock.objects.filter(variant__product=product).update(allocated=1)

    html = client.get(product.url).content.decode()

    assert "Thêm vào giỏ hàng" not in html
    assert "tạm hết hàng" in html
