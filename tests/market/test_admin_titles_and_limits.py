"""Issue 13, items 7, 8 and 12: admin times in Asia/Ho_Chi_Minh and no
"None" for an empty reviewer; each hand-written admin page titled, not
"Trang Chủ"; the seller application's lengths and the bank account holder's
name as banks print it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from market.models import SellerApplication
from tests.factories import SellerApplicationFactory, SellerFactory, operator_create
from tests.market.test_sellers import form_data

pytestmark = pytest.mark.django_db
OUR_CODE = ("market.", "traceability.", "cms.")


def field_values(html: str) -> dict[str, str]:
    """The inspect page's <dt>label</dt><dd>value</dd> pairs."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    return {" ".join(k.split()): " ".join(v.split()) for k, v in pairs}


# --- item 7: times and the empty reviewer ---


def test_application_review_shows_local_time_and_no_none(client):
    application = SellerApplicationFactory()
    # 01:46 UTC is 08:46 in Hội An.
    SellerApplication.objects.filter(pk=application.pk).update(
        created_at=dt.datetime(2026, 11, 3, 1, 46, tzinfo=dt.UTC)
    )
    client.force_login(operator_create())

    html = client.get(
        reverse("seller_applications:inspect", args=[application.pk])
    ).content.decode()

    values = field_values(html)
    assert values["Nộp lúc"] == "08:46 03/11/2026"
    assert values["Người duyệt"] == "Chưa duyệt"
    assert values["Duyệt lúc"] == "—"
    assert "None" not in values.values()
    assert "Created at" not in html and "Reviewed by" not in html


def test_application_review_names_the_reviewer_after_approval(client, home_page):
    from tests.factories import market_ensure

    market_ensure()
    operator = operator_create("lan.pham")
    application = SellerApplicationFactory()
    client.force_login(operator)
    url = reverse("seller_applications:inspect", args=[application.pk])
    client.post(url, {"action": "approve"})

    values = field_values(client.get(url).content.decode())

    assert values["Người duyệt"] == "lan.pham"
    assert re.fullmatch(r"\d\d:\d\d \d\d/\d\d/20\d\d", values["Duyệt lúc"])


# --- item 8: page titles ---


def _our_admin_pages():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    for route, pattern in walk(get_resolver().url_patterns):
        if (
            route.startswith("admin/")
            and not pattern.pattern.regex.groupindex
            and pattern.lookup_str.startswith(OUR_CODE)
        ):
            yield "/" + route


def test_no_admin_page_of_ours_is_titled_trang_chu(client, home_page):
    client.force_login(operator_create())
    SellerFactory()  # the operator is store staff of every seller
    checked = []
    for url in _our_admin_pages():
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        assert "Trang Chủ" not in html, url
        if "<html" not in html:
            continue  # a listing's results fragment (filters without reload)
        found = re.search(r"<title>(.*?)</title>", html, re.S)
        assert found, url
        title = found.group(1).split(" - ")[0].strip()
        assert title and title != "Trang chủ", url
        checked.append(url)
    # Diary, packing, scans, recalls, reports, stock, import, parcels to-do…
    assert len(checked) >= 8, checked
    assert "/admin/truy-xuat/nhat-ky/" in checked


def test_the_diary_page_header_is_its_title(client, home_page):
    client.force_login(operator_create())

    html = client.get("/admin/truy-xuat/nhat-ky/").content.decode()

    header = html[html.find("<header") : html.find("</header>")]
    assert "Nhật ký đồng ruộng" in header
    assert "Trang chủ" in header  # the first breadcrumb, sentence case


# --- item 12: lengths and the account holder's name ---


def errors_of(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


def test_a_5000_character_business_name_is_refused_saying_the_limit(client):
    response = client.post(reverse("seller_apply"), form_data(legal_name="A" * 5000))

    assert not SellerApplication.objects.exists()
    assert errors_of(response, "legal_name") == [
        "Tên dài tối đa 200 ký tự. Ghi đúng tên trên giấy đăng ký kinh doanh "
        "(bạn đã ghi 5000 ký tự)."
    ]
    assert 'maxlength="200"' in response.content.decode()


@pytest.mark.parametrize("name", ["TRAN THI HOA 😀", "TRAN-THI HOA", "TRAN THI HOA 2"])
def test_emoji_digits_or_signs_in_the_account_holder_are_refused(client, name):
    response = client.post(reverse("seller_apply"), form_data(bank_account_name=name))

    assert not SellerApplication.objects.exists()
    [error] = errors_of(response, "bank_account_name")
    assert "chữ cái in hoa không dấu" in error


def test_marks_are_refused_with_the_name_as_the_bank_prints_it(client):
    response = client.post(
        reverse("seller_apply"), form_data(bank_account_name="Nguyễn Thị  Đào")
    )

    assert errors_of(response, "bank_account_name") == [
        "Ghi tên chủ tài khoản bằng chữ in hoa không dấu, như trên thẻ ngân "
        "hàng: NGUYEN THI DAO."
    ]


def test_a_plain_name_is_kept_upper_case_with_single_spaces(client):
    response = client.post(
        reverse("seller_apply"), form_data(bank_account_name="  tran  thi hoa ")
    )

    assert response.status_code == 302
    assert SellerApplication.objects.get().bank_account_name == "TRAN THI HOA"


def test_too_long_account_holder_is_refused(client):
    response = client.post(
        reverse("seller_apply"), form_data(bank_account_name="A" * 51)
    )

    assert errors_of(response, "bank_account_name") == [
        "Tên chủ tài khoản dài tối đa 50 ký tự, như in trên thẻ."
    ]


def test_the_admin_refuses_an_emoji_in_a_sellers_account_holder(client):
    seller = SellerFactory(bank_account_name="TRAN VAN BA")
    client.force_login(operator_create())
    url = reverse("sellers:edit", args=[seller.pk])
    form = client.get(url).context["form"]
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
    }
    data.update(bank_account_name="TRAN VAN BA 🐟", is_active="on")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "chữ cái in hoa không dấu" in response.content.decode()
    seller.refresh_from_db()
    assert seller.bank_account_name == "TRAN VAN BA"
