"""The search page and the autocomplete endpoint, as a shopper uses them."""

import pytest
from django.urls import reverse

from tests.factories import SellerFactory, certification_create, product_create


@pytest.fixture
def shop(db):
    seller = SellerFactory(legal_name="HTX Nước mắm Cẩm Thanh")
    fish_sauce = product_create(
        seller=seller,
        title="Nước mắm cá cơm Cẩm Thanh",
        description="<p>Ủ chượp 12 tháng ở làng chài Cẩm Thanh, Hội An.</p>",
        variants=[("500 ml", 95_000, 10)],
    )
    certification_create(product=fish_sauce, stars=4)
    other = SellerFactory(legal_name="Hộ kinh doanh Lê Văn Ba")
    shrimp = product_create(
        seller=other,
        title="Mắm tôm chua",
        description="<p>Mắm tôm chua xứ Huế.</p>",
        variants=[("300 g", 60_000, 0)],
    )
    draft = product_create(seller=other, title="Nước mắm nhĩ thử nghiệm", live=False)
    return {"fish_sauce": fish_sauce, "shrimp": shrimp, "draft": draft}


def test_search_without_diacritics_finds_and_marks_the_product(client, shop):
    response = client.get(reverse("search"), {"q": "nuoc mam cam thanh"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Nước</mark> <mark>mắm</mark>" in html
    assert "95.000" in html
    assert "Nước mắm nhĩ thử nghiệm" not in html  # drafts are never shown


def test_filters_narrow_results_and_facets_count(client, shop):
    response = client.get(reverse("search"), {"q": "mam", "in_stock": "on"})
    titles = [product.title for product in response.context["search"].page]
    assert titles == ["Nước mắm cá cơm Cẩm Thanh"]  # the shrimp paste is sold out
    assert "OCOP 4 sao" in response.content.decode()

    everything = client.get(reverse("search"), {"q": "mam"})
    facets = everything.context["search"].facets
    assert sum(value.count for value in facets["category"]) == 2
    assert [value.label for value in facets["stars"]] == ["OCOP 4 sao"]


def test_no_results_page_says_what_to_try(client, shop):
    html = client.get(reverse("search"), {"q": "sầu riêng"}).content.decode()
    assert "Chưa tìm thấy sản phẩm nào" in html
    assert "không dấu" in html


def test_a_stray_word_relaxes_to_products_with_some_words(client, shop):
    response = client.get(reverse("search"), {"q": "mua nuoc mam ngon"})
    assert response.context["search"].relaxed
    titles = [product.title for product in response.context["search"].page]
    # the product with most of the words comes first
    assert titles[0] == "Nước mắm cá cơm Cẩm Thanh"
    assert "Không sản phẩm nào có đủ mọi từ" in response.content.decode()


def test_autocomplete_suggests_titles_from_a_folded_prefix(client, shop):
    response = client.get(reverse("search_autocomplete"), {"q": "nuoc m"})
    assert response.status_code == 200
    titles = [s["title"] for s in response.json()["suggestions"]]
    assert titles == ["Nước mắm cá cơm Cẩm Thanh"]


def test_search_page_is_light_and_works_without_a_query(client, shop):
    empty = client.get(reverse("search"))
    assert empty.status_code == 200
    full = client.get(reverse("search"), {"q": "mam"})
    assert len(full.content) <= 50 * 1024
