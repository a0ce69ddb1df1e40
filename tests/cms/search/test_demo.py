"""The issue's own check, as a new user would try it after `make run`: on the
demo catalogue, a query typed without diacritics shows the obvious product
first on the search page."""

import pytest
from django.core.management import call_command

# query typed on a phone keyboard -> the demo product a shopper means
OBVIOUS = {
    "nuoc mam cam thanh": "Nước mắm cá cơm Cẩm Thanh",
    "dua huong dao": "Dứa Hướng Đạo",
    "che thai nguyen": "Chè Thái Nguyên Tân Cương",
    "mat ong": "Mật ong bạc hà Đồng Văn",
    "su su": "Su su Tam Đảo",
    "gao st25": "Gạo ST25",
    "me xung": "Mè xửng Huế",
}


@pytest.fixture
def demo_site(db, settings, tmp_path):
    backend = {"BACKEND": "cms.search.backend", "PATH": str(tmp_path / "index")}
    settings.WAGTAILSEARCH_BACKENDS = {"default": backend}
    settings.MODELSEARCH_BACKENDS = {"default": backend}
    with open("/dev/null", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
        call_command("update_index", stdout=quiet)


def test_the_demo_shows_the_obvious_product_first(client, demo_site):
    firsts = {}
    for query in OBVIOUS:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        page = response.context["search"].page
        firsts[query] = page[0].title if page else None

    assert firsts == OBVIOUS
