"""Orders per second on PostgreSQL: `order_place` end to end.

    .venv/bin/python bench/checkout.py [orders] [threads]   # 400 orders, 4 threads

1. (re)creates the database `nq_bench_checkout` on the local PostgreSQL
   (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432) and migrates it;
2. loads a small catalogue: 3 sellers in different provinces, 20 variants
   each with plenty of stock, the tariff table;
3. "spread": `threads` buyers place `orders` orders of 1-3 random lines
   (several sellers per order, so several shipments) — prints orders/s and
   p50/p95 latency;
4. "hot": the same, but every order also takes 1 unit of one shared variant,
   so every placement waits for the same stock row lock — the worst case of
   a flash sale;
5. checks that allocated stock equals the units ordered (nothing lost).

Mail goes to the dummy backend; the product summary refresh after each
order is included, as in production.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "nq_bench_checkout"
SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.pop("REDIS_URL", None)
    # Measure checkout, not the search index the catalogue pages feed.
    os.environ["SEARCH_BACKEND"] = "database"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_catalogue() -> list[int]:
    from cms.demo import seed_site
    from market.checkout.demo import tariffs_seed
    from market.models import (
        MarketIndexPage,
        ProductPage,
        Seller,
        Stock,
        Variant,
    )
    from market.services.sellers import seller_provision

    home = seed_site()
    if not MarketIndexPage.objects.exists():
        home.add_child(instance=MarketIndexPage(title="Chợ", slug="cho"))
    tariffs_seed()
    variant_ids = []
    for s, province in enumerate((1, 79, 37)):
        seller = Seller.objects.create(
            kind="household",
            legal_name=f"Hộ bench {s}",
            tax_code=f"{9100000000 + s}",
            phone="0912345678",
            province_code=province,
        )
        store = seller_provision(seller=seller)
        for p in range(20):
            product = ProductPage(
                title=f"Sản phẩm {s}-{p}",
                slug=f"bench-{s}-{p}",
                seller=seller,
                category="thuc-pham",
                unit="gói",
            )
            store.add_child(instance=product)
            variant = Variant.objects.create(
                product=product,
                label="500 g",
                sku=f"BENCH-{s}-{p}",
                price_vnd=50_000 + 1000 * p,
                weight_g=500,
            )
            Stock.objects.create(variant=variant, on_hand=1_000_000)
            variant_ids.append(variant.pk)
    return variant_ids


def run(orders: int, threads: int, variant_ids: list[int], hot: int | None):
    from django.db import connections

    from market.checkout.services import (
        Customer,
        LineRequest,
        ShippingAddress,
        order_place,
    )

    customer = Customer("Người mua thử", "0912345678", "")
    address = ShippingAddress(1, 4, "1 Phố Thử")
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = orders // threads

    def buyer(n: int) -> None:
        rng = random.Random(n)
        mine = []
        for _ in range(per_thread):
            picks = rng.sample(variant_ids, rng.randint(1, 3))
            lines = [LineRequest(v, rng.randint(1, 2)) for v in picks]
            if hot is not None:
                lines.append(LineRequest(hot, 1))
            started = time.perf_counter()
            order_place(
                cart_lines=lines,
                customer=customer,
                address=address,
                payment_method="vietqr",
            )
            mine.append(time.perf_counter() - started)
        connections.close_all()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=buyer, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return len(latencies), elapsed, latencies


def report(name: str, count: int, elapsed: float, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=20)
    print(
        f"{name:7s} {count:5d} orders in {elapsed:6.2f} s = "
        f"{count / elapsed:7.1f} orders/s   "
        f"p50 {statistics.median(latencies) * 1000:6.1f} ms   "
        f"p95 {cuts[18] * 1000:6.1f} ms"
    )


def check_consistency() -> None:
    from django.db.models import Sum

    from market.checkout.models import OrderLine
    from market.models import Stock

    ordered = OrderLine.objects.aggregate(n=Sum("quantity"))["n"] or 0
    held = Stock.objects.aggregate(n=Sum("allocated"))["n"] or 0
    status = "ok" if ordered == held else "MISMATCH"
    print(f"units ordered {ordered}, units allocated {held}: {status}")


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    recreate_database()
    setup_django()
    variant_ids = load_catalogue()
    print(f"PostgreSQL {DB_NAME}, {threads} threads, CPUs: {os.cpu_count()}")
    report("spread", *run(orders, threads, variant_ids, hot=None))
    report("hot", *run(orders, threads, variant_ids, hot=variant_ids[0]))
    check_consistency()


if __name__ == "__main__":
    main()
