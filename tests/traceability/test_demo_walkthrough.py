"""Issue 13: the first label printed in the demo walk-through scans as
genuine, not as "copied" because of the seeded demo scans."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from cms.demo import FARMER
from tests.traceability.scan_helpers import signed_path
from traceability.demo_scans import walkthrough_lot_ids
from traceability.models import LabelRun, Lot, Scan

pytestmark = pytest.mark.django_db


def _verdict(client: Client, lot: Lot, serial: str) -> str:
    html = client.get(signed_path(lot, serial)).content.decode()
    start = html.index('data-verdict="') + len('data-verdict="')
    return html[start : html.index('"', start)]


def test_labels_printed_in_the_walkthrough_scan_genuine_after_seed_demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    farmer = Client()
    assert farmer.login(username=FARMER.username, password=FARMER.password)
    lot = (
        Lot.objects.filter(pk__in=walkthrough_lot_ids(), status="active")
        .order_by("pk")
        .first()
    )
    assert lot is not None and lot.serials_issued >= 1
    # The demo does show a copied label, on another store's lot.
    assert Scan.objects.filter(verdict="suspicious").exclude(lot=lot).exists()
    assert not Scan.objects.filter(lot=lot).exclude(serial="").exists()

    response = farmer.post(
        f"/admin/truy-xuat/lo/{lot.pk}/", {"count": 4, "columns": 2, "rows": 2}
    )
    assert response.status_code == 302
    run = LabelRun.objects.filter(lot=lot).latest("created_at")

    shopper = Client()
    assert _verdict(shopper, lot, "1") == "genuine"  # the seeded sheet's first
    assert _verdict(shopper, lot, str(run.first_serial)) == "genuine"
