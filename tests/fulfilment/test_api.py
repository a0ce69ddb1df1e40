"""Partner API: token auth, own parcels only, idempotent events, 409s."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from market.fulfilment.models import ParcelStatus
from market.fulfilment.services.partners import (
    partner_token_issue,
    partner_token_revoke,
)
from tests.factories import HA_NOI, SellerFactory, order_with_shipments, ward_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_a(partner_a):
    return partner_token_issue(partner=partner_a, name="máy chủ A").key


@pytest.fixture
def parcel_b(partner_b):
    seller = SellerFactory(province_code=HA_NOI, ward_code=ward_of(HA_NOI, 0))
    return order_with_shipments(sellers=[seller]).shipments.get().parcel


def auth(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def event(client, key, parcel, **body):
    body = {
        "client_event_id": "e1",
        "status": "accepted",
        "occurred_at": timezone.now().isoformat(),
        **body,
    }
    return client.post(
        reverse("parcel-events", args=[parcel.tracking_code]),
        body,
        content_type="application/json",
        **auth(key),
    )


def test_list_and_detail_show_only_the_token_partners_parcels(
    client, key_a, parcel, parcel_b
):
    listing = client.get("/api/v1/parcels/", **auth(key_a)).json()
    assert [p["tracking_code"] for p in listing["results"]] == [parcel.tracking_code]
    detail = client.get(f"/api/v1/parcels/{parcel.tracking_code}/", **auth(key_a))
    assert detail.status_code == 200
    assert detail.json()["recipient"]["name"] == "Trần Thị Mai"
    assert detail.json()["events"][0]["status"] == "assigned"
    other = client.get(f"/api/v1/parcels/{parcel_b.tracking_code}/", **auth(key_a))
    assert other.status_code == 404


def test_posting_an_event_to_another_partners_parcel_is_404(client, key_a, parcel_b):
    assert event(client, key_a, parcel_b).status_code == 404
    parcel_b.refresh_from_db()
    assert parcel_b.status == ParcelStatus.ASSIGNED


def test_no_token_bad_token_and_revoked_token_are_refused(client, partner_a, parcel):
    issued = partner_token_issue(partner=partner_a)
    assert client.get("/api/v1/parcels/").status_code in (401, 403)
    assert client.get("/api/v1/parcels/", **auth("nqp_wrong")).status_code == 401
    partner_token_revoke(token=issued.token)
    assert client.get("/api/v1/parcels/", **auth(issued.key)).status_code == 401


def test_token_is_stored_hashed_and_marks_last_use(client, partner_a, parcel):
    issued = partner_token_issue(partner=partner_a)
    assert issued.key not in issued.token.key_hash
    assert issued.key.startswith(issued.token.prefix)
    client.get("/api/v1/parcels/", **auth(issued.key))
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_same_event_twice_is_one_change_and_the_answer_says_so(client, key_a, parcel):
    first = event(client, key_a, parcel)
    second = event(client, key_a, parcel)
    assert first.status_code == 201 and first.json()["created"] is True
    assert second.status_code == 200 and second.json()["created"] is False
    assert "trước đó" in second.json()["detail"]
    assert parcel.events.filter(status="accepted").count() == 1


def test_out_of_order_and_disallowed_events_are_409_with_a_code(client, key_a, parcel):
    skipped = event(client, key_a, parcel, client_event_id="e2", status="delivered")
    assert skipped.status_code == 409
    assert skipped.json()["code"] == "transition_not_allowed"
    assert skipped.json()["current_status"] == "assigned"
    assert "không chuyển sang" in skipped.json()["detail"]
    now = timezone.now()
    event(client, key_a, parcel, client_event_id="e3", occurred_at=now.isoformat())
    earlier = (now - timezone.timedelta(hours=2)).isoformat()
    late = event(
        client,
        key_a,
        parcel,
        client_event_id="e4",
        status="picked_up",
        occurred_at=earlier,
    )
    assert late.status_code == 409
    assert late.json()["code"] == "out_of_order"
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.ACCEPTED


def test_unknown_status_is_a_400(client, key_a, parcel):
    assert event(client, key_a, parcel, status="lost").status_code == 400


def test_openapi_documents_the_parcel_endpoints_with_an_example(client):
    response = client.get("/api/v1/openapi.json", {"format": "json"})
    schema = json.loads(response.content)
    post = schema["paths"]["/api/v1/parcels/{tracking_code}/events/"]["post"]
    body = post["requestBody"]["content"]["application/json"]
    example = next(iter(body["examples"].values()))["value"]
    assert example["status"] == "accepted" and example["client_event_id"]
    assert "409" in post["responses"]
    assert "/api/v1/parcels/" in schema["paths"]


def test_list_query_count_does_not_grow_with_parcels(
    client, key_a, seller, parcel, django_assert_max_num_queries
):
    client.get("/api/v1/parcels/", **auth(key_a))
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/parcels/", **auth(key_a))
    for _ in range(4):
        order_with_shipments(sellers=[seller])
    with django_assert_max_num_queries(len(few.captured_queries)):
        listing = client.get("/api/v1/parcels/", **auth(key_a)).json()
    assert listing["count"] == 5
