import datetime as dt
import itertools
import json

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tests.factories import FarmFactory, LotFactory, VariantFactory
from tests.shared_files import missing_reason, shared_file
from traceability import epcis
from traceability.models import Lot
from traceability.selectors import lot_epcis_document
from traceability.services.events import lot_event_append
from traceability.services.lots import lot_create

# The official schema sits in the `shared` folder next to the repository.
SCHEMA = shared_file("standards", "epcis", "EPCIS-JSON-Schema.json")
T = dt.datetime(2026, 10, 20, 3, 0, tzinfo=dt.UTC)


def epcis_validator() -> Draft7Validator:
    """The official EPCIS 2.0 JSON schema with format checks (URIs included);
    skips the test when `../shared` is not next to the repository."""
    if not SCHEMA.exists():
        pytest.skip(missing_reason(SCHEMA))
    schema = json.loads(SCHEMA.read_text())
    return Draft7Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def validator():
    return epcis_validator()


def assert_valid_epcis(validator, document):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    for event in document["epcisBody"]["eventList"]:
        assert event["bizStep"] in epcis.CBV_BIZ_STEPS
        assert event.get("disposition", "active") in epcis.CBV_DISPOSITIONS
        assert event["eventTimeZoneOffset"] == "+07:00"
        assert event["eventTime"].endswith("+07:00")
        assert event["eventID"].startswith("urn:uuid:")


def _full_history_lot(**variant):
    farm = FarmFactory(latitude="15.90012", longitude="108.35011")
    lot = lot_create(
        variant=VariantFactory(product__seller=farm.seller, **variant),
        farm=farm,
        code="MAM-2610",
        harvested_on=dt.date(2026, 10, 15),
        packed_on=dt.date(2026, 10, 16),
        best_before=dt.date(2028, 10, 15),
        quantity=800,
    )
    lot_event_append(
        lot=lot,
        kind="shipping",
        occurred_at=T,
        biz_step="shipping",
        disposition="in_transit",
        data={"quantity": 12, "order_uri": "https://nguonque.vn/don-hang/NQ-1"},
    )
    lot_event_append(
        lot=lot,
        kind="receiving",
        occurred_at=T + dt.timedelta(days=2),
        biz_step="receiving",
        disposition="in_progress",
    )
    lot_event_append(
        lot=lot,
        kind="observation",
        occurred_at=T + dt.timedelta(days=3),
        biz_step="inspecting",
    )
    lot_event_append(
        lot=lot,
        kind="recall",
        occurred_at=T + dt.timedelta(days=4),
        biz_step="holding",
        disposition="recalled",
        data={"reason": "Nhãn in sai hạn sử dụng"},
    )
    return lot


@pytest.mark.django_db
def test_every_kind_of_lot_event_exports_as_valid_epcis_2(validator):
    lot = _full_history_lot()

    document = lot_epcis_document(lot=lot)

    assert_valid_epcis(validator, document)
    assert document["type"] == "EPCISDocument"
    assert document["schemaVersion"] == "2.0"
    events = document["epcisBody"]["eventList"]
    assert [(e["action"], e["bizStep"], e.get("disposition")) for e in events] == [
        ("ADD", "commissioning", "active"),
        ("OBSERVE", "packing", "in_progress"),
        ("OBSERVE", "shipping", "in_transit"),
        ("OBSERVE", "receiving", "in_progress"),
        ("OBSERVE", "inspecting", None),
        ("OBSERVE", "holding", "recalled"),
    ]


@pytest.mark.django_db
def test_the_harvest_event_carries_the_lot_master_data(validator):
    lot = _full_history_lot()

    harvest = lot_epcis_document(lot=lot)["epcisBody"]["eventList"][0]

    assert harvest["ilmd"] == {
        "cbvmda:lotNumber": "MAM-2610",
        "cbvmda:harvestStartDate": "2026-10-15",
        "cbvmda:countryOfOrigin": "VN",
        "cbvmda:bestBeforeDate": "2028-10-15",
        "cbvmda:itemExpirationDate": "2028-10-15",
    }
    assert harvest["quantityList"][0]["quantity"] == 800
    assert harvest["readPoint"] == {"id": "geo:15.90012,108.35011"}
    assert harvest["eventTime"] == "2026-10-15T00:00:00.000+07:00"


@pytest.mark.django_db
def test_the_lot_is_an_lgtin_when_the_company_prefix_is_known(validator, settings):
    settings.GS1_COMPANY_PREFIXES = ["8930001"]
    lot = _full_history_lot(gtin="8930001000025")

    document = lot_epcis_document(lot=lot)

    assert_valid_epcis(validator, document)
    classes = {
        e["quantityList"][0]["epcClass"] for e in document["epcisBody"]["eventList"]
    }
    assert classes == {"urn:epc:class:lgtin:8930001.000002.MAM-2610"}


@pytest.mark.django_db
def test_without_a_known_prefix_the_lot_is_a_gs1_digital_link(validator):
    lot = _full_history_lot(gtin="8930001000025")

    event = lot_epcis_document(lot=lot)["epcisBody"]["eventList"][0]

    assert event["quantityList"][0]["epcClass"] == (
        "https://id.gs1.org/01/08930001000025/10/MAM-2610"
    )


@pytest.mark.django_db
def test_a_lot_without_gtin_is_named_by_its_own_url(validator):
    lot = _full_history_lot(gtin=None)

    document = lot_epcis_document(lot=lot)

    assert_valid_epcis(validator, document)
    event = document["epcisBody"]["eventList"][0]
    assert event["quantityList"][0]["epcClass"] == f"http://testserver/q/{lot.pk}"


@pytest.mark.django_db
def test_the_hash_chain_travels_with_the_events(validator):
    lot = _full_history_lot()

    events = lot_epcis_document(lot=lot)["epcisBody"]["eventList"]

    assert [e["nq:seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0]["nq:prevHash"] == ""
    for before, after in itertools.pairwise(events):
        assert after["nq:prevHash"] == before["nq:hash"]


@pytest.mark.django_db
def test_a_non_cbv_value_never_reaches_the_document(validator):
    lot = LotFactory()
    lot_event_append(
        lot=lot, kind="recall", occurred_at=T, biz_step="recalling", disposition="bad"
    )

    document = lot_epcis_document(lot=lot)

    assert_valid_epcis(validator, document)
    event = document["epcisBody"]["eventList"][0]
    assert (event["bizStep"], event["disposition"]) == ("holding", "recalled")


@pytest.mark.django_db
def test_the_api_serves_the_epcis_document_as_json_ld_to_anyone(client, validator):
    lot = _full_history_lot()

    response = client.get(f"/api/v1/lots/{lot.pk}/epcis")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    document = json.loads(response.content)
    assert_valid_epcis(validator, document)
    assert len(document["epcisBody"]["eventList"]) == 6


@pytest.mark.django_db
def test_an_unknown_lot_is_404(client):
    assert client.get("/api/v1/lots/999999/epcis").status_code == 404


@pytest.mark.django_db
def test_the_lot_list_is_open_data_with_link_and_qr(
    client, django_assert_max_num_queries
):
    lots = [LotFactory() for _ in range(3)]
    no_gtin = LotFactory(variant__gtin=None)

    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/lots/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    rows = {row["id"]: row for row in body["results"]}
    row = rows[lots[0].pk]
    assert row["code"] == lots[0].code
    assert row["sku"] == lots[0].variant.sku
    assert row["gtin"] == lots[0].variant.gtin
    assert row["status"] == "active"
    assert row["digital_link"].startswith("http://testserver/01/0")
    assert row["qr_png"] == f"http://testserver/truy-xuat/lo/{lots[0].pk}/qr.png"
    assert rows[no_gtin.pk]["digital_link"].startswith(
        f"http://testserver/q/{no_gtin.pk}?s="
    )
    png = client.get(row["qr_png"].removeprefix("http://testserver"))
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_the_lot_list_is_paginated(client):
    for _ in range(3):
        LotFactory()

    body = client.get("/api/v1/lots/?page_size=2").json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]


@pytest.mark.django_db
def test_the_epcis_export_of_every_demo_lot_validates(client, validator, settings):
    from cms.demo import seed_site
    from market.demo import seed_market
    from traceability.demo import seed_traceability

    settings.GS1_COMPANY_PREFIXES = ["8930001"]  # as `make run` sets it
    seed_site()
    seed_market()
    seed_traceability()

    lots = list(Lot.objects.select_related("variant"))
    assert len(lots) >= 3
    barcoded = 0
    for lot in lots:
        response = client.get(f"/api/v1/lots/{lot.pk}/epcis")
        assert response.status_code == 200
        assert_valid_epcis(validator, json.loads(response.content))
        if lot.variant.gtin:
            barcoded += 1
            assert "urn:epc:class:lgtin:8930001." in response.content.decode()
    # The demo shows both kinds of code: GS1 Digital Link and the short form.
    assert 0 < barcoded < len(lots)
