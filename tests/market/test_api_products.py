"""The public products API: shape, filters, live-only, constant queries."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.models import CertificationKind, OcopCategory
from tests.factories import (
    PHU_THO,
    TAM_DAO,
    SellerFactory,
    certification_create,
    market_ensure,
    product_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def market():
    return market_ensure()


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(product["name"] for product in response.json()["results"])


def test_list_has_the_documented_shape(client):
    seller = SellerFactory(
        legal_name="HTX Su su Tam Đảo", province_code=PHU_THO, ward_code=TAM_DAO
    )
    product = product_create(
        seller=seller,
        title="Su su Tam Đảo",
        variants=[("1 kg", 25_000, 10, "8930000000019"), ("2 kg", 48_000, 0)],
    )
    certification_create(
        product=product, kind=CertificationKind.VIETGAP, number="VG-01"
    )

    body = client.get("/api/v1/products/").json()

    assert set(body) == {"count", "next", "previous", "results", "partial_match"}
    assert body["partial_match"] is False
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == product.pk and item["name"] == "Su su Tam Đảo"
    assert item["url"].endswith(product.url)
    assert item["seller"]["name"] == "HTX Su su Tam Đảo"
    assert item["seller"]["tax_code"] == seller.tax_code
    assert item["seller"]["province"] == "Tỉnh Phú Thọ"
    assert item["seller"]["ward"] == "Xã Tam Đảo"
    assert item["category"] == "thuc-pham"
    assert item["ocop"] is None
    assert item["vietgap"] == {"certificate": "VG-01", "valid": True}
    assert item["variants"][0] == {
        "sku": "T-8930000000019",
        "gtin": "8930000000019",
        "label": "1 kg",
        "weight_g": 500,
        "price_vnd": 25_000,
        "in_stock": True,
    }
    assert item["variants"][1]["in_stock"] is False


def test_an_expired_ocop_certificate_is_reported_as_not_valid(client):
    product = product_create()
    certification_create(
        product=product,
        stars=4,
        number="OCOP-OLD",
        valid_until=dt.date.today() - dt.timedelta(days=1),
    )

    item = client.get(f"/api/v1/products/{product.pk}/").json()

    assert item["ocop"] == {"stars": 4, "certificate": "OCOP-OLD", "valid": False}


def test_filters_narrow_the_list(client):
    tea = product_create(title="Chè Tân Cương", category=OcopCategory.DRINK)
    certification_create(product=tea, stars=5)
    chayote = product_create(
        title="Su su", seller=SellerFactory(province_code=PHU_THO, ward_code=None)
    )
    certification_create(product=chayote, kind=CertificationKind.VIETGAP)
    product_create(title="Gạo ST25")

    get = client.get
    assert names(get("/api/v1/products/", {"province": PHU_THO})) == ["Su su"]
    assert names(get("/api/v1/products/", {"category": "do-uong"})) == ["Chè Tân Cương"]
    assert names(get("/api/v1/products/", {"ocop_stars_min": 4})) == ["Chè Tân Cương"]
    assert names(get("/api/v1/products/", {"vietgap": "true"})) == ["Su su"]
    assert len(names(get("/api/v1/products/"))) == 3


def test_bad_parameters_get_a_400_that_names_them(client):
    response = client.get("/api/v1/products/", {"ocop_stars_min": 9, "category": "rau"})

    assert response.status_code == 400
    assert set(response.json()) == {"ocop_stars_min", "category"}


def test_drafts_are_not_listed_nor_retrievable(client):
    draft = product_create(title="Bản nháp", live=False)
    product_create(title="Đang bán")

    assert names(client.get("/api/v1/products/")) == ["Đang bán"]
    assert client.get(f"/api/v1/products/{draft.pk}/").status_code == 404


def test_pages_link_to_each_other(client):
    seller = SellerFactory()
    for n in range(3):
        product_create(seller=seller, title=f"Hàng {n}")

    first = client.get("/api/v1/products/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3 and first["previous"] is None
    assert len(second["results"]) == 1 and second["next"] is None


def _queries(client, url) -> int:
    client.get(url)  # the first request of a process caches the site
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_number_of_products(client):
    seller = SellerFactory()

    def add(n, tag):
        for i in range(n):
            product = product_create(
                seller=seller,
                title=f"{tag} {i}",
                variants=[("1", 10_000, 1), ("2", 20_000, 2)],
            )
            certification_create(product=product, stars=3)
            certification_create(product=product, kind=CertificationKind.VIETGAP)

    add(2, "A")
    small = _queries(client, "/api/v1/products/")
    add(8, "B")
    large = _queries(client, "/api/v1/products/")

    assert large == small


def test_text_search_goes_through_the_search_backend(client):
    product_create(title="Mật ong bạc hà Đồng Văn")
    product_create(title="Nước mắm cá cơm")

    assert names(client.get("/api/v1/products/", {"q": "mật ong"})) == [
        "Mật ong bạc hà Đồng Văn"
    ]


def test_openapi_documents_the_products_endpoints(client):
    response = client.get("/api/v1/openapi.json", {"format": "json"})
    schema = json.loads(response.content)

    listing = schema["paths"]["/api/v1/products/"]["get"]
    params = {param["name"] for param in listing["parameters"]}
    assert {"q", "province", "category", "ocop_stars_min", "vietgap", "page"} <= params
    assert "/api/v1/products/{id}/" in schema["paths"]
    product = schema["components"]["schemas"]["Product"]["properties"]
    assert {
        "id",
        "name",
        "url",
        "seller",
        "category",
        "ocop",
        "vietgap",
        "variants",
    } <= set(product)


@pytest.mark.parametrize(
    "pk", ["9223372036854775808", "99999999999999999999999", "9" * 5000]
)
def test_product_id_beyond_any_row_is_not_found(client, pk):
    response = client.get(f"/api/v1/products/{pk}/")

    assert response.status_code == 404
    assert "Không có sản phẩm này" in response.json()["detail"]
