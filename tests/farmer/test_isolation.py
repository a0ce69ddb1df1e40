"""Farmer A can never see or change farmer B's rows through `/nong-dan/`.

Walks the farmer area's URL resolver, so a page added later is covered:
every pattern with an id is opened (GET and POST) with B's ids as A → 404;
every page without an id shows none of B's rows, and posts naming B's rows
change nothing of B's.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from market.checkout.models import ShipmentStatus
from market.models import Stock
from tests.farmer.world import farmer_world
from traceability.models import DiaryEntry, Lot

pytestmark = pytest.mark.django_db

# The id each URL parameter names, taken from B's world.
IDS = {
    "shipment_id": lambda b: b.shipment.pk,
    "lot_id": lambda b: b.lot.pk,
    "run_id": lambda b: b.run.pk,
}
PUBLIC = {"login", "logout", "service_worker"}


def _patterns():
    resolver = get_resolver("farmer.urls")
    return [p for p in resolver.url_patterns if isinstance(p, URLPattern)]


def _with_ids():
    return [p for p in _patterns() if p.pattern.converters]


def _without_ids():
    return [p for p in _patterns() if not p.pattern.converters and p.name not in PUBLIC]


@pytest.fixture
def pair(db):
    a = farmer_world("0911000001", name="An")
    b = farmer_world("0911000002", name="Binh")
    # B's label run is printed, so its PDF would be served to its owner.
    b.run.pdf.save("b.pdf", ContentFile(b"%PDF-1.4 B"), save=False)
    b.run.status = "done"
    b.run.save()
    return a, b


def test_every_pattern_with_an_id_is_covered():
    names = {name for p in _with_ids() for name in p.pattern.converters}
    assert names <= set(IDS), names - set(IDS)
    assert len(_with_ids()) >= 4


@pytest.mark.parametrize("pattern", _with_ids(), ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_b_s_ids_are_not_found_for_a(client, pair, pattern, method):
    a, b = pair
    kwargs = {name: IDS[name](b) for name in pattern.pattern.converters}
    client.force_login(a.user)
    url = "/nong-dan/" + str(pattern.pattern).format(**kwargs)
    for name, value in kwargs.items():
        url = url.replace(f"<int:{name}>", str(value))
    response = getattr(client, method)(url, {"count": 1})
    assert response.status_code == 404
    # …while B opens the same URL (GET) without a 404.
    if method == "get":
        client.force_login(b.user)
        assert client.get(url).status_code != 404


@pytest.mark.parametrize("pattern", _without_ids(), ids=lambda p: p.name)
def test_a_s_pages_show_none_of_b_s_rows(client, pair, pattern):
    a, b = pair
    client.force_login(a.user)
    html = client.get(f"/nong-dan/{pattern.pattern}").content.decode()
    for secret in (
        b.shipment.order.number,
        b.farm.name,
        b.variant.product.title,
        b.entry.note,
    ):
        assert secret not in html
    assert f"Lô {b.lot.code}" not in html


def test_posts_naming_b_s_rows_change_nothing_of_b(client, pair):
    a, b = pair
    client.force_login(a.user)
    line = b.shipment.lines.get()
    before_stock = Stock.objects.get(variant=b.variant).on_hand
    prefix = f"v{b.variant.pk}"
    client.post("/nong-dan/ton-kho/", {f"{prefix}-on_hand": 99, f"{prefix}-shown": 3})
    client.post(
        "/nong-dan/nhat-ky/",
        {
            "farm": b.farm.pk,
            "kind": "observation",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "note": "không phải vườn của tôi",
            "client_id": str(uuid.uuid4()),
        },
    )
    client.post(
        "/nong-dan/thu-hoach/",
        {
            "farm": b.farm.pk,
            "variant": b.variant.pk,
            "harvested_on": timezone.localdate().isoformat(),
            "quantity": 5,
            "code": "LAYTROM",
        },
    )
    client.post(
        f"/nong-dan/don-hang/{a.shipment.pk}/",
        {f"lot_{line.pk}": b.lot.pk, f"qty_{line.pk}": 1},
    )
    assert Stock.objects.get(variant=b.variant).on_hand == before_stock
    assert not DiaryEntry.objects.filter(note="không phải vườn của tôi").exists()
    assert not Lot.objects.filter(code="LAYTROM").exists()
    b.shipment.refresh_from_db()
    assert b.shipment.status == ShipmentStatus.TO_PACK


def test_a_diary_id_b_already_used_is_not_taken_over(client, pair):
    a, b = pair
    used = uuid.uuid4()
    DiaryEntry.objects.filter(pk=b.entry.pk).update(client_id=used)
    client.force_login(a.user)
    answer = client.post(
        "/nong-dan/nhat-ky/",
        {
            "farm": a.farm.pk,
            "kind": "observation",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "client_id": str(used),
        },
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 400
    assert "id" not in answer.json()
