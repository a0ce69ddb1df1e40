"""Backup and restore as docs/operations.md tells the operator (issue 14):
`pg_dump -Fc`, `pg_restore` into a new database, `rsync` of MEDIA_ROOT and
the private labels folder. A fresh process served from the restored copy
gives the same scan verdicts, orders and files as the original."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from wagtail.documents.models import Document

from cms.private_files import private_storage
from market.checkout.models import Order
from market.checkout.selectors import order_url
from tests.factories import (
    LotFactory,
    PartnerAreaFactory,
    PartnerFactory,
    SellerFactory,
    order_with_shipments,
    ward_of,
)
from traceability.models import LabelRun, LabelRunStatus, LotStatus
from traceability.services.links import lot_link

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump / pg_restore back up PostgreSQL; SQLite is the demo",
    ),
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore")),
        reason="PostgreSQL client tools (pg_dump, pg_restore) are not installed",
    ),
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
HA_NOI = 1
VERDICT = re.compile(r'data-verdict="([a-z-]+)"')

# Run in the restored copy: the same answers, read the same way.
READ_BACK = """
import hashlib, json, sys
import django
django.setup()
from django.test import Client
from market.checkout.models import Order
from traceability.models import LabelRun
import re

wanted = json.loads(sys.stdin.read())
client = Client()
verdict = re.compile(r'data-verdict="([a-z-]+)"')
out = {"verdicts": {}, "orders": [], "order_pages": {}, "files": {}}
for path in wanted["scan_paths"]:
    out["verdicts"][path] = verdict.findall(client.get(path).content.decode())
out["orders"] = [
    list(row)
    for row in Order.objects.order_by("number").values_list(
        "number", "status", "subtotal_vnd", "shipping_vnd", "total_vnd"
    )
]
for number, path in wanted["order_pages"].items():
    response = client.get(path)
    page = response.content.decode()
    out["order_pages"][number] = [response.status_code, number in page]
run = LabelRun.objects.get(pk=wanted["label_run"])
out["files"]["label_pdf"] = hashlib.sha256(run.pdf.read()).hexdigest()
response = client.get(wanted["document_url"])
body = b"".join(response.streaming_content) if response.streaming else response.content
out["files"]["document"] = [response.status_code, hashlib.sha256(body).hexdigest()]
print(json.dumps(out))
"""


def _database_url(name: str) -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{host}:{port}/{name}"


def _run(*command: str) -> None:
    done = subprocess.run(  # noqa: S603 - the PostgreSQL tools, our arguments
        command, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{command[0]}: {done.stderr[-2000:]}"


@pytest.fixture
def restored_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    _run("dropdb", "--if-exists", "--force", MAINTENANCE(), name)
    yield name
    _run("dropdb", "--if-exists", "--force", MAINTENANCE(), name)


def MAINTENANCE() -> str:
    return f"--maintenance-db={_database_url('postgres')}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_restored_copy_serves_the_same_verdicts_orders_and_files(
    client, tmp_path, restored_database
):
    # --- a small market ---------------------------------------------------------
    seller = SellerFactory(province_code=HA_NOI, ward_code=ward_of(HA_NOI, 1))
    PartnerAreaFactory(partner=PartnerFactory(code="bc-sao-luu"), province_code=HA_NOI)
    orders = [order_with_shipments(sellers=[seller]) for _ in range(2)]
    orders.append(order_with_shipments(sellers=[seller], pay=False))
    lot = LotFactory(farm__seller=seller, serials_issued=20)
    recalled = LotFactory(farm__seller=seller, serials_issued=5)
    recalled.status = LotStatus.RECALLED
    recalled.save(update_fields=["status"])
    genuine = [lot_link(lot=lot, serial=str(n)) for n in (1, 2, 17)]
    forged = genuine[0][:-3] + ("AAA" if not genuine[0].endswith("AAA") else "BBB")
    never_issued = lot_link(lot=lot, serial="21")
    scan_paths = [
        uri.removeprefix(settings.SITE_URL)
        for uri in [*genuine, forged, never_issued, lot_link(lot=recalled, serial="3")]
    ]
    run = LabelRun(lot=lot, first_serial=1, count=20, status=LabelRunStatus.DONE)
    run.pdf.save("tem-sao-luu.pdf", ContentFile(b"%PDF-1.4\n% 20 tem\n%%EOF\n"))
    document = Document.objects.create(
        title="Giấy chứng nhận VietGAP",
        file=ContentFile(b"%PDF-1.4\n% VietGAP 2026\n%%EOF\n", name="vietgap.pdf"),
    )

    before = {
        path: VERDICT.findall(client.get(path).content.decode()) for path in scan_paths
    }
    assert [v[0] for v in before.values()] == [
        "genuine",
        "genuine",
        "genuine",
        "not-genuine",
        "not-genuine",
        "recalled",
    ]
    order_rows = [
        list(row)
        for row in Order.objects.order_by("number").values_list(
            "number", "status", "subtotal_vnd", "shipping_vnd", "total_vnd"
        )
    ]
    assert {row[1] for row in order_rows} == {"paid", "pending_payment"}

    # --- back up, as docs/operations.md says -------------------------------------
    dump = tmp_path / "nguonque.dump"
    source = _database_url(connection.settings_dict["NAME"])
    _run("pg_dump", "-Fc", "--no-owner", "-f", str(dump), "-d", source)
    media, labels = Path(settings.MEDIA_ROOT), Path(private_storage().location)
    backup = tmp_path / "backup"
    backup.mkdir()
    _run("rsync", "-a", f"{media}/", str(backup / "media"))
    _run("rsync", "-a", f"{labels}/", str(backup / "media-private"))

    # --- restore into a new database and new folders ------------------------------
    target = _database_url(restored_database)
    _run("createdb", MAINTENANCE(), restored_database)
    _run(
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "-d",
        target,
        str(dump),
    )
    restored = tmp_path / "restored"
    restored.mkdir()
    _run("rsync", "-a", f"{backup / 'media'}/", str(restored / "media"))
    _run("rsync", "-a", f"{backup / 'media-private'}/", str(restored / "media-private"))

    # --- serve from the copy --------------------------------------------------------
    wanted = {
        "scan_paths": scan_paths,
        "order_pages": {o.number: order_url(o) for o in orders},
        "label_run": run.pk,
        "document_url": document.url,
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": target,
        "MEDIA_ROOT": str(restored / "media"),
        "PRIVATE_MEDIA_ROOT": str(restored / "media-private"),
        "SEARCH_INDEX_PATH": str(tmp_path / "search"),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", READ_BACK],
        input=json.dumps(wanted),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    after = json.loads(done.stdout.strip().splitlines()[-1])

    assert after["verdicts"] == before
    assert after["orders"] == order_rows
    assert after["order_pages"] == {o.number: [200, True] for o in orders}
    assert after["files"]["label_pdf"] == _sha256(b"%PDF-1.4\n% 20 tem\n%%EOF\n")
    assert after["files"]["document"] == [
        200,
        _sha256(b"%PDF-1.4\n% VietGAP 2026\n%%EOF\n"),
    ]
