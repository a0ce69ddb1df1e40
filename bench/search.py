"""Search speed and relevance at catalogue scale: Whoosh vs Wagtail's database
backend on the same data, in one run.

    .venv/bin/python bench/search.py [rows] [--fresh] [--no-build] [--postgres]

`rows` defaults to 100 000 variants.

`--no-build` times the queries again on the indexes a previous run built.
`--postgres` keeps the catalogue in PostgreSQL (database `nguonque_bench`
on `BENCH_POSTGRES`, default postgres://postgres@127.0.0.1:5432) instead
of SQLite: the database backend then is PostgreSQL full-text search.

1. makes `rows` variants with ../shared/data/make_catalogue.py (bench/out/);
2. loads them into a fresh database with `manage.py import_catalogue`;
3. builds both indexes with `update_index` (prints objects/s);
4. runs the judged queries below through `ProductPage.objects.live().search(q)`
   exactly as the search page does (first page of 20 plus the total count),
   several times each, and prints p50/p95 latency and MRR / recall@5.
   A query still running after QUERY_LIMIT seconds is stopped and counted
   as a miss (Wagtail's database backend on SQLite needs minutes for some).

A query's relevant products are those whose name starts with the product
kind the query names (the generator gives every product a kind from a fixed
list, then adds an adjective and a number).
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from import_catalogue import make_certificates_distinct  # bench/ is sys.path[0]

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "data" / "make_catalogue.py"
PAGE = 20
REPEATS = 3
QUERY_LIMIT = 20.0  # seconds before a query is stopped and counted as a miss
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
POSTGRES_DB = "nguonque_bench"

# query -> the product kind (start of the product name) a shopper means
JUDGED = {
    "nuoc mam ca com": "Nước mắm cá cơm",
    "nước mắm nhĩ": "Nước mắm nhĩ",
    "nuoc mamm nhi": "Nước mắm nhĩ",
    "dua huong dao": "Dứa Hướng Đạo",
    "dứa hướng đạo": "Dứa Hướng Đạo",
    "dừa sáp": "Dừa sáp",
    "dua luoi": "Dưa lưới",
    "che thai nguyen": "Chè Thái Nguyên",
    "chè thái nguyên": "Chè Thái Nguyên",
    "mat ong": "Mật ong bạc hà",
    "mat ongg bac ha": "Mật ong bạc hà",
    "buoi doan hung": "Bưởi Đoan Hùng",
    "buoi doan hunq": "Bưởi Đoan Hùng",
    "buoi nam roi": "Bưởi Năm Roi",
    "gao st25": "Gạo ST25",
    "xoai cat hoa loc": "Xoài cát Hòa Lộc",
    "hanh tim vinh chau": "Hành tím Vĩnh Châu",
    "vai thieu luc ngan": "Vải thiều Lục Ngạn",
    "toi ly son": "Tỏi Lý Sơn",
    "sam ngoc linh": "Sâm Ngọc Linh",
    "ca phe rang xay": "Cà phê rang xay",
    "hat tieu den": "Hạt tiêu đen",
    "nhan long": "Nhãn lồng",
    "khan lua to tam": "Khăn lụa tơ tằm",
    "den long hoi an": "Đèn lồng Hội An",
    "non la bai tho": "Nón lá bài thơ",
    "tom chua": "Tôm chua",
    "me xung": "Mè xửng",
    "banh trang nuong": "Bánh tráng nướng",
    "rau tra que": "Rau Trà Quế",
    "su su tam dao": "Su su Tam Đảo",
    "dong trung ha thao": "Đông trùng hạ thảo",
    "tra cung dinh": "Trà cung đình",
    "kho ca loc": "Khô cá lóc",
    "tour thuyen thung": "Tour thuyền thúng rừng dừa Bảy Mẫu",
    "rau an toan lang cong": "Rau an toàn Lãng Công",
    "tra sam dua": "Trà sâm dứa",
}


def fresh_postgres() -> str:
    """An empty `nguonque_bench` database; its URL."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB}")
        conn.execute(f"CREATE DATABASE {POSTGRES_DB}")
    return f"{POSTGRES}/{POSTGRES_DB}"


def postgres_has_catalogue() -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{POSTGRES}/{POSTGRES_DB}") as conn:
            row = conn.execute("SELECT count(*) FROM market_productpage").fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


def setup_django(index_dir: Path, database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["SEARCH_INDEX_PATH"] = str(index_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    backends = {
        "default": {
            "BACKEND": "cms.search.backend",
            "PATH": str(index_dir),
            "AUTO_UPDATE": False,
        },
        "database": {
            "BACKEND": "wagtail.search.backends.database",
            "AUTO_UPDATE": False,
        },
    }
    settings.WAGTAILSEARCH_BACKENDS = backends
    settings.MODELSEARCH_BACKENDS = backends
    # As cms/wsgi.py does in a served process: what is loaded at start-up is
    # kept out of the cyclic collector's full passes.
    gc.freeze()


def generate(rows: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / f"catalogue-{rows}.csv"
    if not csv_path.exists():
        raw = OUT / f"generated-{rows}.csv"
        subprocess.run(
            [sys.executable, str(GENERATOR), "--rows", str(rows), "-o", str(raw)],
            check=True,
        )
        # The import refuses one OCOP number on two products of a seller,
        # which the generator's random draw produces a few times per 10 000.
        make_certificates_distinct(raw, csv_path)
        raw.unlink()
    return csv_path


def load(csv_path: Path) -> float:
    from django.core.management import CommandError, call_command

    from cms.demo import seed_site
    from market.models import MarketIndexPage

    call_command("migrate", verbosity=0)
    home = seed_site()
    if not MarketIndexPage.objects.exists():
        market = MarketIndexPage(title="Chợ", slug="cho")
        home.add_child(instance=market)
        market.save_revision().publish()
    started = time.perf_counter()
    # Per-row warnings and any refusal go to a log beside the file.
    log = OUT / f"import-{csv_path.stem}.log"
    with log.open("w") as stream:
        try:
            call_command(
                "import_catalogue", str(csv_path), "--no-progress", stderr=stream
            )
        except CommandError as exc:
            message = f"import_catalogue refused the file: {exc}; see {log}"
            raise SystemExit(message) from None
    return time.perf_counter() - started


def build(backend: str) -> tuple[int, float]:
    from django.core.management import call_command

    from market.models import ProductPage

    started = time.perf_counter()
    call_command("update_index", backend_name=backend, verbosity=0, chunk_size=1000)
    elapsed = time.perf_counter() - started
    return ProductPage.objects.count(), elapsed


def percentile(values, share):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


class Stopped(Exception):
    """A query ran past QUERY_LIMIT."""


def limited(func):
    """Run `func()` and return (milliseconds, its result), stopping its
    SQL after QUERY_LIMIT seconds (raises Stopped)."""
    from django.db import DatabaseError, connection

    connection.ensure_connection()
    timer = None
    if connection.vendor == "sqlite":
        timer = threading.Timer(QUERY_LIMIT, connection.connection.interrupt)
        timer.start()
    started = time.perf_counter()
    try:
        result = func()
    except DatabaseError as exc:
        if time.perf_counter() - started < QUERY_LIMIT:
            raise
        raise Stopped from exc
    finally:
        if timer is not None:
            timer.cancel()
    return (time.perf_counter() - started) * 1000, result


def search_page(query: str, backend: str):
    """What the search page asks: the first page and the total count."""
    from market.models import ProductPage

    results = ProductPage.objects.live().search(query, backend=backend)
    page = list(results[:PAGE])
    results.count()
    return page


def run_queries(backend: str):
    from django.db import connection

    from cms.search.analysis import fold

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(QUERY_LIMIT * 1000)}")
    latencies, cpu, rr, recall, cold, stopped = [], [], [], [], [], []
    for query, kind in JUDGED.items():
        wanted = fold(kind)
        page = []
        for attempt in range(REPEATS):
            started_cpu = time.process_time()
            try:
                elapsed, page = limited(lambda q=query: search_page(q, backend))
            except Stopped:
                stopped.append(query)
                page = []
                break  # the same query would be stopped again
            if attempt:  # the first run warms caches; report steady state
                latencies.append(elapsed)
                cpu.append((time.process_time() - started_cpu) * 1000)
            else:  # ... and what that first run cost, shown apart
                cold.append(elapsed)
        hits = [fold(product.title).startswith(wanted) for product in page]
        rr.append(next((1 / (i + 1) for i, hit in enumerate(hits) if hit), 0.0))
        recall.append(sum(hits[:5]) / 5)
    # Then every query once more in a shuffled order, as a mix of shoppers
    # would send them: nothing of the previous query helps the next one.
    mixed = []
    order = [query for query in JUDGED if query not in stopped]
    random.Random(4).shuffle(order)
    for query in order:
        try:
            mixed.append(limited(lambda q=query: search_page(q, backend))[0])
        except Stopped:
            stopped.append(query)
    return {
        "cold50": _median(cold),
        "cold95": percentile(cold, 0.95),
        "mixed50": _median(mixed),
        "mixed95": percentile(mixed, 0.95),
        "p50": _median(latencies),
        "p95": percentile(latencies, 0.95),
        "cpu50": _median(cpu),
        "cpu95": percentile(cpu, 0.95),
        "mrr": sum(rr) / len(rr),
        "recall5": sum(recall) / len(recall),
        "stopped": sorted(set(stopped)),
    }


def _median(values):
    return statistics.median(values) if values else float("nan")


def main():
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    rows = int(args[0]) if args else 100_000
    if "--fresh" in sys.argv:
        for suffix in ("", "-pg"):
            shutil.rmtree(OUT / f"search-{rows}{suffix}", ignore_errors=True)
    if not GENERATOR.exists():
        print(f"skipped: {GENERATOR} is absent")
        return
    postgres = "--postgres" in sys.argv
    csv_path = generate(rows)
    run_dir = OUT / f"search-{rows}{'-pg' if postgres else ''}"
    run_dir.mkdir(parents=True, exist_ok=True)
    loaded = run_dir / "loaded"
    if postgres and not (loaded.exists() and postgres_has_catalogue()):
        loaded.unlink(missing_ok=True)
        database_url = fresh_postgres()
    elif postgres:
        database_url = f"{POSTGRES}/{POSTGRES_DB}"
    else:
        database_url = f"sqlite:///{run_dir / 'db.sqlite3'}"
    setup_django(run_dir / "index", database_url)
    print(f"catalogue: {rows} variants ({csv_path.name}) in {database_url}")
    if loaded.exists():
        # The import is the slow part and not what this measures; --fresh redoes it.
        print("import_catalogue: reusing the database a previous run loaded")
    else:
        print(f"import_catalogue: {load(csv_path):.1f} s")
        loaded.touch()
    print(
        f"{'backend':<10} {'build':>22} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'cpu p50':>8} {'cpu p95':>8} {'MRR':>6} {'R@5':>6} "
        f"{'mix p50':>8} {'mix p95':>8} {'1st p50':>8} {'1st p95':>8}",
        flush=True,
    )
    for backend, name in (("default", "whoosh"), ("database", "database")):
        if "--no-build" in sys.argv:  # time the queries on the indexes built before
            rate = "(not rebuilt)"
        else:
            products, seconds = build(backend)
            rate = f"{products / seconds:,.0f} products/s"
        f = run_queries(backend)
        print(
            f"{name:<10} {rate:>22} {f['p50']:>8.1f} {f['p95']:>8.1f} "
            f"{f['cpu50']:>8.1f} {f['cpu95']:>8.1f} "
            f"{f['mrr']:>6.3f} {f['recall5']:>6.3f} "
            f"{f['mixed50']:>8.1f} {f['mixed95']:>8.1f} "
            f"{f['cold50']:>8.1f} {f['cold95']:>8.1f}",
            flush=True,
        )
        if f["stopped"]:
            print(
                f"{'':<10} {len(f['stopped'])} of {len(JUDGED)} queries stopped "
                f"after {QUERY_LIMIT:.0f} s (counted as misses, not in the "
                f"times): {', '.join(f['stopped'])}",
                flush=True,
            )
    print(
        f"{len(JUDGED)} judged queries x {REPEATS - 1} timed runs; page of {PAGE} "
        "and the total count; cpu = this process's CPU time (load-independent); "
        "mix = each query once more, in a shuffled order; 1st = each query's "
        "first run (untimed in p50/p95: it fills the term tables)"
    )


if __name__ == "__main__":
    main()
