"""The catalogue CSV import: errors with line numbers, all-or-nothing,
idempotency, and a real Wagtail page per product."""

import csv
import datetime as dt
import io
import zlib

import pytest
from django.core.management import CommandError, call_command

from market.models import (
    Certification,
    ProductPage,
    ReviewStatus,
    Seller,
    Stock,
    StorePage,
    Variant,
)
from market.services.imports import ImportFileError, catalogue_import
from tests.factories import (
    SellerFactory,
    UserFactory,
    market_ensure,
    valid_gtin13,
    valid_tax_code,
)
from tests.shared_files import missing_reason, shared_file

pytestmark = pytest.mark.django_db

SAMPLE = shared_file("data", "catalogue-sample.csv")
HEADER = [
    "seller_name",
    "seller_kind",
    "tax_code",
    "phone",
    "province",
    "ward",
    "product_name",
    "category",
    "description",
    "unit",
    "variant",
    "weight_g",
    "price_vnd",
    "stock",
    "gtin",
    "ocop_stars",
    "ocop_certificate",
    "ocop_issued_on",
    "vietgap_certificate",
    "vietgap_valid_until",
    "farm_name",
    "farm_lat",
    "farm_lng",
]


@pytest.fixture
def market():
    return market_ensure()


@pytest.fixture
def tax_code():
    return valid_tax_code()


def row(tax_code, **changes) -> dict:
    base = {
        "seller_name": "Hộ kinh doanh Nước mắm Cẩm Thanh",
        "seller_kind": "household",
        "tax_code": tax_code,
        "phone": "0905123456",
        "province": "Thành phố Đà Nẵng",
        "ward": "Phường Hội An Đông",
        "product_name": "Nước mắm cá cơm",
        "category": "thuc-pham",
        "description": "Cá cơm ủ chượp 12 tháng.",
        "unit": "chai",
        "variant": "500 ml",
        "weight_g": "600",
        "price_vnd": "85000",
        "stock": "40",
        "gtin": valid_gtin13(),
        "ocop_stars": "3",
        "ocop_certificate": "OCOP-2025-0001",
        "ocop_issued_on": "2025-03-01",
        "vietgap_certificate": "",
        "vietgap_valid_until": "",
        "farm_name": "Vườn nhà",
        "farm_lat": "15.88",
        "farm_lng": "108.35",
    }
    base.update(changes)
    if "ocop_certificate" not in changes and base["ocop_stars"]:
        # One certificate per product, as the import requires.
        base["ocop_certificate"] = f"OCOP-{zlib.crc32(base['product_name'].encode())}"
    return base


def csv_text(*rows: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run(text: str, **options):
    return catalogue_import(stream=io.StringIO(text), **options)


def test_import_creates_seller_store_product_variants_stock_and_certificate(
    market, tax_code
):
    text = csv_text(
        row(tax_code),
        row(tax_code, variant="1 lít", price_vnd="150.000", stock="0", weight_g="1100"),
    )

    plan = run(text, approve_certifications=True)

    assert plan.errors == []
    seller = Seller.objects.get(tax_code=tax_code)
    assert StorePage.objects.get(seller=seller).live
    product = ProductPage.objects.get(seller=seller)
    assert product.live and product.title == "Nước mắm cá cơm"
    assert product.get_parent().specific == seller.store_page
    assert sorted(
        Variant.objects.filter(product=product).values_list("label", "price_vnd")
    ) == [("1 lít", 150_000), ("500 ml", 85_000)]
    assert Stock.objects.get(variant__label="500 ml").on_hand == 40
    cert = Certification.objects.get(seller=seller)
    assert (cert.kind, cert.stars, cert.status) == ("ocop", 3, ReviewStatus.APPROVED)
    assert (product.price_min, product.ocop_stars, product.in_stock) == (
        85_000,
        3,
        True,
    )


def test_importing_the_same_file_twice_changes_nothing(market, tax_code):
    text = csv_text(row(tax_code), row(tax_code, product_name="Nước mắm nhĩ"))
    run(text, approve_certifications=True)
    before = list(Variant.objects.values_list("pk", "sku", "price_vnd"))

    again = run(text, approve_certifications=True)

    assert again.change_count == 0
    assert list(Variant.objects.values_list("pk", "sku", "price_vnd")) == before
    assert ProductPage.objects.count() == 2


def test_a_changed_price_and_stock_update_the_same_variant(market, tax_code):
    gtin = valid_gtin13()
    run(csv_text(row(tax_code, gtin=gtin)), approve_certifications=True)
    variant = Variant.objects.get(gtin=gtin)

    plan = run(csv_text(row(tax_code, gtin=gtin, price_vnd="90000", stock="12")))

    assert plan.counts["changed_variants"] == 1
    assert plan.counts["stock_changes"] == 1
    assert plan.counts["new_variants"] == 0
    variant.refresh_from_db()
    assert variant.price_vnd == 90_000 and variant.stock.on_hand == 12
    assert ProductPage.objects.get().price_min == 90_000


def test_a_variant_without_gtin_gets_a_stable_sku(market, tax_code):
    text = csv_text(row(tax_code, gtin=""))

    run(text)
    sku = Variant.objects.get().sku
    again = run(text)

    assert sku.startswith("NQ-") and again.change_count == 0


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("01/11/2025", dt.date(2025, 11, 1)),  # day below 13: not 11 January
        ("25/10/2025", dt.date(2025, 10, 25)),  # day above 12
        ("2025-03-01", dt.date(2025, 3, 1)),  # ISO, as spreadsheets export
    ],
)
def test_import_reads_dates_day_first(market, tax_code, typed, day):
    plan = run(csv_text(row(tax_code, ocop_issued_on=typed)))

    assert plan.errors == []
    assert Certification.objects.get().issued_on == day


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"tax_code": "0123456788"}, "Mã số thuế"),
        ({"gtin": "8934567890124"}, "Chữ số kiểm tra"),
        ({"province": "Tỉnh Quảng Nam"}, "Không tìm thấy tỉnh"),
        ({"price_vnd": "-5000"}, "Giá (đồng) phải từ 1000"),
        ({"stock": "nhiều"}, "Tồn kho «nhiều» phải là số nguyên"),
        ({"category": "rau"}, "Nhóm sản phẩm «rau»"),
        ({"ocop_stars": "6"}, "Số sao OCOP phải từ 3 đến 5"),
        ({"ocop_issued_on": "13/13/2025"}, "ghi ngày/tháng/năm"),
        ({"seller_kind": "farm"}, "Loại hình «farm»"),
        ({"product_name": ""}, "Thiếu tên sản phẩm"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(
    market, tax_code, changes, reason
):
    text = csv_text(
        row(tax_code), row(**{"tax_code": tax_code, "variant": "1 lít", **changes})
    )

    plan = run(text)

    assert [error.line for error in plan.errors] == [3]
    assert reason in plan.errors[0].message
    assert str(plan.errors[0]).startswith("Dòng 3: ")
    assert not Seller.objects.exists()
    assert not ProductPage.objects.exists()


def test_an_unknown_ward_is_kept_as_a_warning_with_the_ward_left_empty(
    market, tax_code
):
    plan = run(csv_text(row(tax_code, ward="Xã Không Có")))

    assert plan.errors == []
    assert [w.line for w in plan.warnings] == [2]
    assert "Xã Không Có" in plan.warnings[0].message
    assert Seller.objects.get(tax_code=tax_code).ward_code is None


def test_rows_that_contradict_each_other_are_errors(market, tax_code):
    gtin = valid_gtin13()
    text = csv_text(
        row(tax_code, gtin=gtin),
        row(tax_code, variant="1 lít", gtin=gtin),
        row(tax_code, variant="2 lít", phone="0912000000"),
    )

    plan = run(text)

    assert [(e.line, e.message.split(" ")[0]) for e in plan.errors] == [
        (3, "Mã"),
        (4, "Thông"),
    ]
    assert "dòng 2" in plan.errors[0].message
    assert not Variant.objects.exists()


def test_a_gtin_already_used_by_another_product_is_an_error(market, tax_code):
    gtin = valid_gtin13()
    run(csv_text(row(tax_code, gtin=gtin)))

    plan = run(csv_text(row(tax_code, gtin=gtin, product_name="Nước mắm nhĩ")))

    assert [e.line for e in plan.errors] == [2]
    assert ProductPage.objects.count() == 1


def test_dry_run_reports_the_plan_and_writes_nothing(market, tax_code):
    plan = run(csv_text(row(tax_code)), dry_run=True)

    assert plan.counts["new_products"] == 1 and plan.counts["new_variants"] == 1
    assert not Seller.objects.exists()


def test_a_farmer_import_stays_in_their_store_as_drafts_with_pending_certificates(
    market, tax_code
):
    seller = SellerFactory(tax_code=tax_code)
    text = csv_text(row(tax_code), row(valid_tax_code(), product_name="Hàng khác"))

    refused = run(text, only_seller=seller, publish=False)
    assert [e.line for e in refused.errors] == [3]
    assert "không phải của cửa hàng bạn" in refused.errors[0].message

    plan = run(csv_text(row(tax_code)), only_seller=seller, publish=False)

    assert plan.errors == []
    product = ProductPage.objects.get(seller=seller)
    assert product.live is False and product.has_unpublished_changes
    assert Certification.objects.get(seller=seller).status == ReviewStatus.PENDING


def test_a_file_that_is_not_a_catalogue_is_refused():
    with pytest.raises(ImportFileError, match="thiếu cột"):
        run("name,price\nMắm,1\n")


def test_the_admin_can_open_an_imported_product(client, market, tax_code):
    run(csv_text(row(tax_code)), approve_certifications=True)
    product = ProductPage.objects.get()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.get(f"/admin/pages/{product.pk}/edit/")

    assert response.status_code == 200
    assert "Nước mắm cá cơm" in response.content.decode()
    public = client.get(product.url)
    assert public.status_code == 200


def test_a_later_page_added_in_the_admin_fits_the_imported_tree(market, tax_code):
    from wagtail.models import Page

    run(csv_text(row(tax_code), row(tax_code, product_name="Mắm nhĩ")))
    store = StorePage.objects.get()
    extra = ProductPage(
        title="Mắm tôm", category="thuc-pham", unit="hũ", seller=store.seller
    )

    store.add_child(instance=extra)

    assert Page.find_problems() == ([], [], [], [], [])
    assert store.get_children().count() == 3


def test_command_reports_errors_and_exits_non_zero(market, tax_code, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(row(tax_code, gtin="123")), encoding="utf-8")

    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_catalogue", str(path))


@pytest.mark.skipif(not SAMPLE.exists(), reason=missing_reason(SAMPLE))
def test_the_shared_sample_imports_twice_into_40_sellers_196_products_300_variants(
    client, market
):
    out = io.StringIO()
    call_command("import_catalogue", str(SAMPLE), stdout=out, stderr=io.StringIO())
    call_command("import_catalogue", str(SAMPLE), stdout=out, stderr=io.StringIO())

    assert "Đã thay đổi: 0 " in out.getvalue().splitlines()[-1]
    assert (
        Seller.objects.count(),
        ProductPage.objects.count(),
        Variant.objects.count(),
    ) == (40, 196, 300)
    api = client.get("/api/v1/products/", {"page_size": 100}).json()
    assert api["count"] == 196
    variants = 0
    url = "/api/v1/products/?page_size=100"
    while url:
        page = client.get(url).json()
        variants += sum(len(product["variants"]) for product in page["results"])
        url = page["next"]
    assert variants == 300


def test_an_imported_seller_gets_admin_access_with_its_first_login(market, tax_code):
    from market.services.sellers import seller_provision

    run(csv_text(row(tax_code)))
    seller = Seller.objects.get(tax_code=tax_code)
    store = StorePage.objects.get(seller=seller)
    # No login yet, so no group to give one (a bulk import stays fast).
    assert seller.group is None

    farmer = UserFactory(username="nongdan-moi")
    seller.users.add(farmer)
    assert seller_provision(seller=seller) == store
    seller.refresh_from_db()
    assert farmer.groups.filter(pk=seller.group_id).exists()
    assert StorePage.objects.filter(seller=seller).count() == 1
