"""Circular 02/2024/TT-BKHCN records: every minimum data element on the scan
page and in the export, one step back and one step forward across two
sellers, the seller-scoped exports for the National Traceability Portal."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from market.checkout.models import ShipmentStatus
from market.models import Certification
from tests.factories import (
    DiaryEntryFactory,
    FarmFactory,
    SellerFactory,
    order_with_shipments,
)
from tests.shared_files import missing_reason, shared_file
from tests.traceability.scan_helpers import at, signed_path
from tests.traceability.staff_helpers import farmer_of, operator_user
from traceability.models import DiaryKind, LotInput
from traceability.selectors_trace import lot_epcis_export, lot_trace_record
from traceability.services.inputs import lot_input_add
from traceability.services.links import lot_link
from traceability.services.lots import lot_create
from traceability.services.packing import lot_events_for_shipment, shipment_pack

pytestmark = pytest.mark.django_db

D = dt.date
SHIPPED_AT = dt.datetime(2026, 10, 20, 2, 30, tzinfo=dt.UTC)


def _epcis_validator():
    from jsonschema import Draft7Validator, FormatChecker

    path = shared_file("standards", "epcis", "EPCIS-JSON-Schema.json")
    if not path.exists():
        pytest.skip(missing_reason(path))
    return Draft7Validator(json.loads(path.read_text()), format_checker=FormatChecker())


def _assert_schema_valid(document):
    errors = sorted(_epcis_validator().iter_errors(document), key=lambda e: e.path)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def chain():
    """Seller A (anchovy fishers) sells lot A to seller B (fish sauce), who
    makes lot B from it plus salt bought outside the market; lot B is packed
    into a shopper's order and shipped."""
    seller_a = SellerFactory(
        legal_name="HTX Khai thác hải sản Cửa Đại",
        address_line="Thôn 3, xã Cẩm Thanh",
    )
    farm_a = FarmFactory(seller=seller_a, name="Bến cá Cửa Đại", gln="8930001000018")
    from tests.factories import VariantFactory

    lot_a = lot_create(
        variant=VariantFactory(product__seller=seller_a, product__title="Cá cơm tươi"),
        farm=farm_a,
        code="CA-2610",
        harvested_on=D(2026, 10, 1),
        quantity=2000,
        best_before=D(2026, 10, 4),
    )
    seller_b = SellerFactory(
        legal_name="Hộ kinh doanh Nước mắm Cẩm Thanh",
        address_line="12 đường Cẩm Thanh",
    )
    user_b = farmer_of(seller_b)
    farm_b = FarmFactory(
        seller=seller_b,
        name="Nhà thùng Cẩm Thanh",
        address_line="Tổ 4, thôn Thanh Nhứt",
        latitude="15.88012",
        longitude="108.36011",
    )
    salt = DiaryEntryFactory(
        farm=farm_b,
        kind=DiaryKind.INPUT,
        input_type="other",
        input_product="Muối hạt Sa Huỳnh",
        occurred_at=at(D(2026, 10, 2)),
    )
    order = order_with_shipments(sellers=[seller_b], quantity=2)
    line = order.lines.get()
    product_b = line.variant.product
    Certification.objects.create(
        seller=seller_b,
        product=product_b,
        kind="ocop",
        number="OCOP-QNA-2025-118",
        stars=4,
        status="approved",
        valid_until=D(2028, 6, 1),
    )
    lot_b = lot_create(
        variant=line.variant,
        farm=farm_b,
        code="MAM-2610",
        harvested_on=D(2026, 10, 3),
        packed_on=D(2026, 10, 10),
        best_before=D(2028, 10, 3),
        quantity=300,
        standards_applied="TCVN 5107:2018",
        actor=user_b,
    )
    lot_input_add(
        lot=lot_b,
        actor=user_b,
        source_lot=lot_a,
        quantity="1 200 kg",
        received_on=D(2026, 10, 2),
    )
    lot_input_add(
        lot=lot_b,
        actor=user_b,
        diary_entry=salt,
        supplier_name="Cơ sở muối Sa Huỳnh",
        supplier_tax_code="0401234566",
        supplier_lot_code="SH-0925",
        quantity="300 kg",
    )
    shipment = line.shipment
    shipment_pack(shipment=shipment, allocations=[(line, lot_b, 2)], actor=user_b)
    lot_events_for_shipment(
        shipment=shipment, new_status=ShipmentStatus.SHIPPED, occurred_at=SHIPPED_AT
    )
    lot_b.refresh_from_db()
    return {
        "a": lot_a,
        "b": lot_b,
        "user_b": user_b,
        "order": order,
        "seller_a": seller_a,
        "seller_b": seller_b,
    }


# --- the scan page -------------------------------------------------------------


def test_scan_page_shows_every_element_of_the_circular(client, chain):
    lot = chain["b"]
    lot.serials_issued = 10
    lot.save(update_fields=["serials_issued"])

    html = client.get(signed_path(lot, "7")).content.decode()

    product = lot.variant.product
    assert product.title in html  # product name
    assert "Hộ kinh doanh Nước mắm Cẩm Thanh" in html  # producer name
    assert "12 đường Cẩm Thanh" in html  # producer address
    assert chain["seller_b"].tax_code in html
    assert "Nhà thùng Cẩm Thanh, Tổ 4, thôn Thanh Nhứt" in html  # place of production
    assert f"/dia-diem/vuon/{lot.farm_id}" in html  # its location code
    gtin = lot.variant.gtin
    assert f"(01){gtin}(10)MAM-2610(21)7" in html  # the traceability code
    assert f"<dd>{gtin}</dd>" in html  # product code
    assert "MAM-2610 · sê-ri 7" in html  # batch and serial
    assert "Hạn sử dụng</dt><dd>03/10/2028" in html  # shelf life
    assert "TCVN 5107:2018" in html and "OCOP 4★" in html  # standards applied
    # Each stage with its time and place.
    for stage in ("commissioning", "packing", "shipping"):
        assert f'data-stage="{stage}"' in html
    assert "20/10/2026 09:30" in html  # shipped, in Vietnam time
    # One step back: the supplier's lot and the salt bought outside.
    assert "Cá cơm tươi — HTX Khai thác hải sản Cửa Đại" in html
    assert "lô CA-2610" in html
    assert "Muối hạt Sa Huỳnh — Cơ sở muối Sa Huỳnh" in html and "lô SH-0925" in html
    # One step forward, public part only: no shopper's name, phone or street.
    assert "Đã giao cho người mua trong 1 đơn hàng." in html
    order = chain["order"]
    for private in (order.customer_name, order.phone, "ngõ 5 phố Huế", order.number):
        assert private not in html


def test_the_suppliers_scan_page_shows_which_business_used_its_lot(client, chain):
    html = client.get(signed_path(chain["a"])).content.decode()

    product_b = chain["b"].variant.product.title
    assert f"Hộ kinh doanh Nước mắm Cẩm Thanh: làm ra {product_b}, lô MAM-2610" in html
    assert "GLN 8930001000018" in html  # the landing site's GLN


def test_scan_page_with_inputs_stays_within_five_queries(
    client, chain, django_assert_max_num_queries
):
    path = signed_path(chain["b"])
    with django_assert_max_num_queries(5):
        response = client.get(path)
    assert b"data-input" in response.content
    assert len(gzip.compress(response.content, compresslevel=6)) <= 14 * 1024


# --- the record and its EPCIS export --------------------------------------------


def test_record_lists_both_steps_across_the_two_sellers(chain):
    record = lot_trace_record(lot=chain["b"], with_orders=True)

    back = {(i.supplier_name, i.supplier_lot_code) for i in record.inputs}
    assert back == {
        ("HTX Khai thác hải sản Cửa Đại", "CA-2610"),
        ("Cơ sở muối Sa Huỳnh", "SH-0925"),
    }
    from_market = next(i for i in record.inputs if i.source_lot_id)
    assert from_market.supplier_tax_code == chain["seller_a"].tax_code
    assert from_market.supplier_gln == "8930001000018"
    [order_line] = [o for o in record.outputs if o.kind == "order"]
    assert order_line.reference == chain["order"].number
    assert order_line.quantity == 2 and "Hà Nội" in order_line.destination
    forward_of_a = lot_trace_record(lot=chain["a"]).outputs
    assert [(o.kind, o.reference) for o in forward_of_a] == [("lot", "MAM-2610")]


def test_epcis_export_carries_the_elements_and_is_schema_valid(chain):
    lot = chain["b"]
    document = lot_epcis_export(lot=lot, with_orders=True)

    _assert_schema_valid(document)
    vocabularies = document["epcisHeader"]["epcisMasterData"]["vocabularyList"]
    by_type = {v["type"]: v["vocabularyElementList"] for v in vocabularies}
    product = {
        a["id"]: a["attribute"]
        for a in by_type["urn:epcglobal:epcis:vtype:EPCClass"][0]["attributes"]
    }
    assert product["cbvmda:regulatedProductName"] == lot.variant.product.title
    assert "TCVN 5107:2018" in product["nq:standards"]
    assert "OCOP" in product["nq:standards"]
    [farm] = by_type["urn:epcglobal:epcis:vtype:Location"]
    assert farm["id"].endswith(f"/dia-diem/vuon/{lot.farm_id}")
    parties = {
        e["id"]: {a["id"]: a["attribute"] for a in e["attributes"]}
        for e in by_type["urn:epcglobal:epcis:vtype:Party"]
    }
    producer = next(
        p for p in parties.values() if p.get("nq:taxCode") == chain["seller_b"].tax_code
    )
    assert producer["cbvmda:streetAddressOne"] == "12 đường Cẩm Thanh"

    events = document["epcisBody"]["eventList"]
    transformation = events[0]
    assert transformation["type"] == "TransformationEvent"
    inputs = {i["epcClass"] for i in transformation["inputQuantityList"]}
    gtin_a = chain["a"].variant.gtin
    assert f"https://id.gs1.org/01/{gtin_a}/10/CA-2610" in inputs
    assert {
        "type": "owning_party",
        "source": "https://id.gs1.org/417/8930001000018",
    } in (transformation["sourceList"])
    steps = {e["bizStep"]: e for e in events[1:]}
    assert set(steps) == {"commissioning", "packing", "shipping"}
    for step in ("commissioning", "packing"):
        assert steps[step]["bizLocation"]["id"] == farm["id"]
        assert steps[step]["quantityList"][0]["epcClass"].endswith(
            f"/01/{lot.variant.gtin}/10/MAM-2610"
        )
    assert any("OCOP" in c for c in steps["commissioning"]["certificationInfo"])
    assert steps["commissioning"]["ilmd"]["cbvmda:bestBeforeDate"] == "2028-10-03"
    shipping = steps["shipping"]
    assert shipping["eventTime"] == "2026-10-20T09:30:00.000+07:00"
    assert {
        "type": "po",
        "bizTransaction": f"http://testserver/don-hang/{chain['order'].number}",
    } in shipping["bizTransactionList"]
    [destination] = shipping["destinationList"]
    assert destination["type"] == "location"
    assert "/dia-diem/xa/" in destination["destination"]


def test_public_epcis_names_no_order(client, chain):
    response = client.get(f"/api/v1/lots/{chain['b'].pk}/epcis")

    body = response.content.decode()
    assert response.status_code == 200
    assert "TransformationEvent" in body and "TCVN 5107:2018" in body
    assert chain["order"].number not in body and "destinationList" not in body
    _assert_schema_valid(json.loads(body))


# --- admin: inputs and exports, scoped -----------------------------------------------


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_seller_exports_their_lot_as_epcis_csv_and_a_printable_page(chain):
    lot = chain["b"]
    client = _admin(chain["user_b"])

    page = client.get(f"/admin/truy-xuat/lo/{lot.pk}/").content.decode()
    assert f"/admin/truy-xuat/lo/{lot.pk}/ho-so.jsonld" in page
    assert "Cơ sở muối Sa Huỳnh" in page and chain["order"].number in page

    epcis = client.get(f"/admin/truy-xuat/lo/{lot.pk}/ho-so.jsonld")
    assert epcis["Content-Type"] == "application/ld+json"
    assert "attachment" in epcis["Content-Disposition"]
    _assert_schema_valid(json.loads(epcis.content))

    response = client.get(f"/admin/truy-xuat/lo/{lot.pk}/ho-so.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    elements = {row[1]: row[2] for row in rows[1:]}
    assert elements["Số lô"] == "MAM-2610"
    assert elements["Hạn sử dụng"] == "03/10/2028"
    assert elements["Mã truy xuất nguồn gốc"] == lot_link(lot=lot)
    assert "TCVN 5107:2018" in elements["Tiêu chuẩn áp dụng"]
    assert f"Đơn {chain['order'].number}" in elements
    assert "Cá cơm tươi" in elements

    printable = client.get(f"/admin/truy-xuat/lo/{lot.pk}/ho-so/").content.decode()
    assert 'lang="vi"' in printable and "Cơ sở sản xuất" in printable
    assert chain["order"].customer_name not in printable


def test_seller_b_cannot_open_or_export_seller_a_lot(chain):
    client = _admin(chain["user_b"])
    lot_a = chain["a"]
    for suffix in ("", "ho-so.jsonld", "ho-so.csv", "ho-so/", "nguyen-lieu/"):
        assert client.get(f"/admin/truy-xuat/lo/{lot_a.pk}/{suffix}").status_code == 404
    with pytest.raises(PermissionDenied):
        lot_input_add(
            lot=lot_a, actor=chain["user_b"], product_name="x", supplier_name="y"
        )


def test_operator_exports_any_lot(chain):
    client = _admin(operator_user())
    assert (
        client.get(f"/admin/truy-xuat/lo/{chain['a'].pk}/ho-so.csv").status_code == 200
    )


def test_adding_an_input_from_a_scanned_label_fills_in_the_supplier(chain):
    lot_b = chain["b"]
    client = _admin(chain["user_b"])
    url = f"/admin/truy-xuat/lo/{lot_b.pk}/nguyen-lieu/"

    forged = lot_link(lot=chain["a"]).replace("s=", "s=x")
    refused = client.post(url, {"source_link": forged})
    assert refused.status_code == 200
    assert "Mã này không xác thực được" in refused.content.decode()

    response = client.post(
        url, {"source_link": lot_link(lot=chain["a"]), "quantity": "50 kg"}
    )
    assert response.status_code == 302
    item = LotInput.objects.filter(lot=lot_b).latest("pk")
    assert item.source_lot == chain["a"]
    assert item.supplier_name == "HTX Khai thác hải sản Cửa Đại"
    assert item.supplier_lot_code == "CA-2610"


def test_input_rules_say_what_to_do(chain):
    lot_b, user = chain["b"], chain["user_b"]
    with pytest.raises(ValidationError, match="chính nó"):
        lot_input_add(lot=lot_b, actor=user, source_lot=lot_b)
    with pytest.raises(ValidationError, match="tên bên cung cấp"):
        lot_input_add(lot=lot_b, actor=user, product_name="Đường phèn")
    with pytest.raises(ValidationError, match="GLN"):
        lot_input_add(
            lot=lot_b,
            actor=user,
            product_name="Đường",
            supplier_name="Chợ Hội An",
            supplier_gln="8930001000017",
        )
