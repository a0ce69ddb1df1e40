"""Load test of the two-host set-up with Locust (issue 16).

    .venv/bin/python bench/load.py [--users 20] [--spawn-rate 5] [--seconds 60]
        [--workdir /tmp/nq-bench-load]

Loopback only, bounded in time and users. Recreates the PostgreSQL database
`nq_bench_load` (DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres),
flushes Redis database 6, starts moto's S3 server, seeds the demo
(`seed_demo`), then one RQ worker and two gunicorn hosts (2 sync workers
each, separate working folders) sharing PostgreSQL, Redis, S3 and the
PostgreSQL search engine, and a card gateway (localstripe) whose signed
webhooks go to host A. Locust (headless, bench/locustfile.py) mixes browse,
search, product, scan, cart and checkout paid by VietQR or by card; the
script prints requests, failures, req/s, p50 and p95 per endpoint, then
checks that no unit was oversold, that every order a shopper was told about
is in the database (and no other), and that every card order the gateway
charged is paid, with exactly one successful payment.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hosts import ROOT, Gateway, Host, Worker, manage, shared_env

REDIS = "redis://127.0.0.1:6379/6"
DB_NAME = "nq_bench_load"

SCAN_PATHS = """
from django.conf import settings
from traceability import digital_link
from traceability.models import Lot
key = settings.QR_SIGNING_KEY.encode()
for lot in Lot.objects.select_related("variant").filter(serials_issued__gt=0)[:20]:
    for serial in range(1, min(lot.serials_issued, 5) + 1):
        print(digital_link.build_gs1(base_url="", key=key, gtin=lot.variant.gtin,
              lot=lot.code, lot_id=lot.pk, serial=str(serial), expiry=lot.best_before)
              if lot.variant.gtin else
              digital_link.build_short(base_url="", key=key, lot_id=lot.pk,
              serial=str(serial)))
"""

CHECKS = """
import json
from django.db.models import F, Sum
from market.models import Stock
from market.checkout.models import Order, OrderLine
oversold = Stock.objects.filter(allocated__gt=F("on_hand")).count()
negative = Stock.objects.filter(on_hand__lt=0).count()
units = dict(
    OrderLine.objects.filter(variant__isnull=False)
    .values_list("order__number").annotate(n=Sum("quantity"))
)
allocated = Stock.objects.aggregate(n=Sum("allocated"))["n"] or 0
from django.db.models import Count, Q
from market.payments.models import PaymentStatus
card = {
    number: [status, succeeded]
    for number, status, succeeded in Order.objects.filter(payment_method="card")
    .annotate(ok=Count("payments", filter=Q(payments__status=PaymentStatus.SUCCEEDED)))
    .values_list("number", "status", "ok")
}
print(json.dumps({
    "card": card,
    "oversold": oversold, "negative": negative, "allocated": allocated,
    "orders": sorted(Order.objects.values_list("number", flat=True)),
    "units": units,
}))
"""


def recreate_database(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}"


def start_s3() -> tuple[object, str, str, str]:
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line a request

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "nguonque-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "nguonque-test-secret")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    suffix = uuid.uuid4().hex[:8]
    buckets = (f"nq-media-{suffix}", f"nq-private-{suffix}")
    for bucket in buckets:
        client.create_bucket(Bucket=bucket)
    return server, endpoint, *buckets


def _checks(env: dict) -> dict:
    return json.loads(manage(env, "shell", "-c", CHECKS).strip().splitlines()[-1])


def stats(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--workdir", default=str(Path(tempfile.gettempdir()) / "nq-bench-load")
    )
    args = parser.parse_args()
    workdir = Path(args.workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)

    import redis

    redis.Redis.from_url(REDIS).flushdb()
    database_url = recreate_database(
        os.environ.get(
            "DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        )
    )
    s3, endpoint, media, private = start_s3()
    gateway = Gateway("gateway", workdir / "gateway", {**os.environ}).start()
    gateway_url = gateway.url
    env = shared_env(
        database_url=database_url,
        redis_url=REDIS,
        s3_endpoint=endpoint,
        media_bucket=media,
        private_bucket=private,
        SEARCH_BACKEND="postgres",
        PAYMENT_GATEWAY_URL=gateway_url,
        # Every simulated shopper comes from 127.0.0.1: the per-client caps
        # would otherwise refuse all but three of them.
        ORDER_MAX_OPEN_PER_CLIENT="1000000",
    )
    seeding = {k: v for k, v in env.items() if k != "REDIS_URL"}  # tasks run inline
    seeding.update(
        MEDIA_ROOT=str(workdir / "seed-media"),
        SEARCH_INDEX_PATH=str(workdir / "seed-search"),
    )
    print("· migrating and seeding the demo (PostgreSQL, S3 media)")
    manage(seeding, "migrate", "--noinput", "-v0")
    manage(seeding, "seed_demo", "--no-logins")
    scans = manage(seeding, "shell", "-c", SCAN_PATHS).split()
    (workdir / "scans.txt").write_text("\n".join(scans))
    before = _checks(seeding)
    orders_file = workdir / "orders.txt"
    orders_file.touch()

    worker = Worker("worker", workdir / "worker", env)
    a = Host("host-a", workdir / "a", env, workers=2)
    b = Host("host-b", workdir / "b", env, workers=2)
    try:
        worker.start()
        a.start()
        b.start()
        manage(env, "register_gateway_webhook", "--site", a.url)
        print(f"· locust: {args.users} users, {args.seconds} s, hosts {a.url} {b.url}")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{args.seconds}s",
                "--host",
                a.url,
                "--csv",
                str(workdir / "load"),
                "--loglevel",
                "WARNING",
            ],
            env={
                **os.environ,
                "LOAD_HOSTS": f"{a.url},{b.url}",
                "LOAD_SCANS": str(workdir / "scans.txt"),
                "LOAD_ORDERS": str(orders_file),
                "LOAD_GATEWAY": gateway_url,
            },
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "locust.log").open("wb"),
        )
    finally:
        for process in (b, a, worker):
            process.stop()
        gateway.stop()
        s3.stop()

    rows = stats(workdir / "load_stats.csv")
    print(
        f"\n{'endpoint':28} {'requests':>9} {'errors':>7} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7}"
    )
    for row in rows:
        print(
            f"{row['Name']:28} {row['Request Count']:>9} {row['Failure Count']:>7} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>7} {row['95%']:>7}"
        )
    failures = workdir / "load_failures.csv"
    for row in stats(failures) if failures.exists() else []:
        print(f"  error: {row['Name']}: {row['Error']} ×{row['Occurrences']}")

    result = _checks(seeding)
    told = sorted(set(orders_file.read_text().split()))
    refused = orders_file.with_suffix(".refused")
    refused_count = len(refused.read_text().split()) if refused.exists() else 0
    in_db = sorted(set(result["orders"]) - set(before["orders"]))
    new_units = sum(result["units"].get(number, 0) for number in in_db)
    allocated = result["allocated"] - before["allocated"]
    print(
        f"\norders placed {len(told)}, in the database {len(in_db)}, "
        f"refused with a reason {refused_count}"
    )
    print(
        f"units allocated during the run {allocated}, in the new orders "
        f"{new_units}, stock rows oversold {result['oversold']}, "
        f"negative {result['negative']}"
    )
    card_file = orders_file.with_suffix(".card")
    card_told = (
        dict(
            line.split() for line in card_file.read_text().splitlines() if line.strip()
        )
        if card_file.exists()
        else {}
    )
    card_paid = {n for n, (status, _) in result["card"].items() if status == "paid"}
    card_twice = sorted(n for n, (_, ok) in result["card"].items() if ok > 1)
    card_unsettled = sorted(
        n for n, seen in card_told.items() if seen == "paid" and n not in card_paid
    )
    print(
        f"card orders {len(card_told)}: paid as the shopper saw "
        f"{sum(1 for seen in card_told.values() if seen == 'paid')}, paid in the "
        f"database {len(card_paid & set(card_told))}, charged twice {len(card_twice)}"
    )
    ok = (
        not card_twice
        and not card_unsettled
        and told == in_db
        and result["oversold"] == 0
        and result["negative"] == 0
        and allocated == new_units
    )
    print(
        "no unit oversold, no order lost, no card charged twice or left unpaid: "
        + ("ok" if ok else "FAILED")
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
