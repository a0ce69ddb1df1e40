"""Weight of every farmer page (issue 17: first view ≤ 30 KB gzip, HTML
and CSS, fonts excluded) and its SQL queries, with 1 and with 50 rows.

Builds a throw-away test database (SQLite, or DATABASE_URL when given) with
the test settings, makes a farmer with `tests.farmer.world.farmer_world`,
signs in and fetches each `/nong-dan/` page through Django's test client.
Prints, per page: HTML bytes raw and gzip (level 6, what nginx sends by
default), HTML+CSS gzip against the budget, time at 60 kbit/s for that many
bytes, and queries.

    .venv/bin/python bench/farmer_pages.py [--rows 50]
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)

BUDGET = 30 * 1024
LINK_BYTES_PER_S = 60_000 / 8
PAGES = [
    "/nong-dan/dang-nhap/",
    "/nong-dan/",
    "/nong-dan/don-hang/",
    "order",
    "/nong-dan/ton-kho/",
    "/nong-dan/nhat-ky/",
    "/nong-dan/thu-hoach/",
    "/nong-dan/tem/",
    "/nong-dan/tien/",
]


def gz(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def static_bytes(name: str) -> bytes:
    return Path(finders.find(name)).read_bytes()


def measure(farmer, label: str) -> bool:
    css = gz(static_bytes("farmer/farmer.css"))
    client = Client()
    fits = True
    print(f"\n{label}")
    print(f"{'page':32} {'raw':>8} {'gzip':>7} {'+css':>7} {'60kbit':>7} {'SQL':>4}")
    for url in PAGES:
        if url != "/nong-dan/dang-nhap/":
            client.force_login(farmer.user)
        if url == "order":
            url = f"/nong-dan/don-hang/{farmer.shipment.pk}/"
        client.get(url)  # warm caches as a second visit would
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        body = response.content
        total = gz(body) + css
        fits &= total <= BUDGET
        print(
            f"{url:32} {len(body):8} {gz(body):7} {total:7} "
            f"{total / LINK_BYTES_PER_S:6.1f}s {len(queries):4}"
        )
    js = gz(static_bytes("farmer/offline.js"))
    print(f"css gzip {css} B; diary script offline.js gzip {js} B (diary only)")
    return fits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50)
    args = parser.parse_args()
    setup_test_environment()
    from tests.farmer.world import farmer_world

    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        one = farmer_world("0911000001", name="An", rows=1)
        many = farmer_world("0911000002", name="Binh", rows=args.rows)
        fits = measure(one, "1 row of each kind")
        fits &= measure(many, f"{args.rows} rows of each kind")
        print(
            f"\nbudget {BUDGET} B gzip per page (HTML+CSS): {'ok' if fits else 'OVER'}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
