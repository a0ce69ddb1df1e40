"""Search speed and relevance at catalogue scale: Whoosh, Wagtail's database
backend and (with --postgres) the PostgreSQL engine on the same data, in one
run.

    .venv/bin/python bench/search.py [rows] [--fresh] [--no-build] [--postgres]
        [--backends=whoosh,database,postgres]

`rows` defaults to 100 000 variants. `--backends` picks some of them (in
that order); the database backend and the PostgreSQL engine write the same
modelsearch table, so each is rebuilt just before its queries, and
`--no-build` is only meaningful for one of them.

`--no-build` times the queries again on the indexes a previous run built.
`--postgres` keeps the catalogue in PostgreSQL (database `nguonque_bench`
on `BENCH_POSTGRES`, default postgres://postgres@127.0.0.1:5432) instead
of SQLite: the database backend then is PostgreSQL full-text search.

1. makes `rows` variants with ../shared/data/make_catalogue.py (bench/out/);
2. loads them into a fresh database with `manage.py import_catalogue`;
3. builds both indexes with `update_index` (prints objects/s);
4. runs the judged queries below through `market.selectors.product_text_search`
   exactly as the search page and the API do (every word, else some of
   them; first page of 20 plus the total count), several times each, and
   prints p50/p95 latency, MRR / recall@5, MRR per kind of query (the
   classic set, regional names, half-typed words, codes, precision, place)
   and how many nonsense queries found anything (should be none).
   A query still running after QUERY_LIMIT seconds is stopped and counted
   as a miss (Wagtail's database backend on SQLite needs minutes for some).

A query's relevant products are those whose name starts with the product
kind the query names (the generator gives every product a kind from a fixed
list, then adds an adjective and a number); for a place query, of that kind
from that ward or province; for a code, the product with that GTIN or SKU,
or any product holding that OCOP number (the generator repeats them).

Without ../shared next to the repository, point CATALOGUE_GENERATOR at
make_catalogue.py; BENCH_POSTGRES_DB names another PostgreSQL database.
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
GENERATOR = Path(
    os.environ.get(
        "CATALOGUE_GENERATOR", ROOT.parent / "shared" / "data" / "make_catalogue.py"
    )
)
PAGE = 20
REPEATS = 3
QUERY_LIMIT = 20.0  # seconds before a query is stopped and counted as a miss
SLOWEST = 8  # judged queries named with their median time
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
POSTGRES_DB = os.environ.get("BENCH_POSTGRES_DB", "nguonque_bench")

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

# Issue 15's kinds of query. A kind -> {query: product kind}, or for
# "place" {query: (product kind, ward or province it comes from)}. "code"
# queries are drawn from the loaded catalogue (`code_queries`).
JUDGED_KINDS = {
    # regional and alternative names (synonym table)
    "regional": {
        "khóm": "Dứa Hướng Đạo",
        "khom huong dao": "Dứa Hướng Đạo",
        "thơm hướng đạo": "Dứa Hướng Đạo",
        "dứa cầu đúc": "Dứa Hướng Đạo",
        "trà thái nguyên": "Chè Thái Nguyên",
        "chè sâm dứa": "Trà sâm dứa",
        "chè cung đình": "Trà cung đình",
        "cafe rang xay": "Cà phê rang xay",
        "khô cá quả": "Khô cá lóc",
        "vừng xửng": "Mè xửng",
        "trái dứa hướng đạo": "Dứa Hướng Đạo",
    },
    # the last word half typed
    "typing": {
        "nuoc ma": "Nước mắm",
        "mat on": "Mật ong bạc hà",
        "vai thieu luc ng": "Vải thiều Lục Ngạn",
        "dong trung ha th": "Đông trùng hạ thảo",
        "banh trang nu": "Bánh tráng nướng",
        "sam ngoc li": "Sâm Ngọc Linh",
        "gao st": "Gạo ST25",
        "xoai cat ho": "Xoài cát Hòa Lộc",
        "hanh tim vinh ch": "Hành tím Vĩnh Châu",
        "khan lua to ta": "Khăn lụa tơ tằm",
    },
    # one word: the product named for it first
    "precision": {
        "dứa": "Dứa Hướng Đạo",
        "dừa": "Dừa sáp",
        "dưa": "Dưa lưới",
        "sâm": "Sâm Ngọc Linh",
        "chè": "Chè Thái Nguyên",
        "trà": "Trà",
        "tôm": "Tôm chua",
        "bưởi": "Bưởi",
        "nhãn": "Nhãn lồng",
        "khô": "Khô cá lóc",
        "xoài": "Xoài cát Hòa Lộc",
        "tỏi": "Tỏi Lý Sơn",
        "gạo": "Gạo ST25",
    },
    # a product kind and where it comes from
    "place": {
        "nuoc mam tan hiep": ("Nước mắm", "Tân Hiệp"),
        "nước mắm hội an đông": ("Nước mắm", "Hội An Đông"),
        "me xung thuan hoa": ("Mè xửng", "Thuận Hóa"),
        "tom chua huong thuy": ("Tôm chua", "Hương Thủy"),
        "gao st25 cai rang": ("Gạo ST25", "Cái Răng"),
        "gạo st25 vĩnh châu": ("Gạo ST25", "Vĩnh Châu"),
        "dua luoi hoi thinh": ("Dưa lưới", "Hội Thịnh"),
        "dưa lưới cần thơ": ("Dưa lưới", "Cần Thơ"),
    },
}
# Queries whose right answer is no product at all.
NONSENSE = ["<script>alert(1)</script>", "' OR 1=1 --", "1=1", "%' --", "x y z"]
CODE_SAMPLES = 4  # variants whose GTIN, SKU and certificate are searched


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
            "BACKEND": "cms.search.database",
            "AUTO_UPDATE": False,
        },
    }
    if database_url.startswith("postgres"):
        backends["postgres"] = {"BACKEND": "cms.search.postgres", "AUTO_UPDATE": False}
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
    """What the search page and the API ask: every word (else some of them,
    `product_text_search`), the first page and the total count."""
    from market.models import ProductPage
    from market.selectors import product_text_search

    found = product_text_search(
        products=ProductPage.objects.live(), text=query, backend=backend
    )
    page = list(found.results[:PAGE])
    found.results.count()
    return page


def by_kind(kind: str):
    from cms.search.analysis import fold

    wanted = fold(kind)
    return lambda product: fold(product.title).startswith(wanted)


def by_place(kind: str, place: str):
    from cms.search.analysis import fold

    is_kind, wanted = by_kind(kind), fold(place)
    return lambda product: is_kind(product) and wanted in fold(product.search_places())


def by_pks(pks):
    pks = set(pks)
    return lambda product: product.pk in pks


def code_queries() -> dict:
    """GTIN (13 digits as printed, and padded to 14), SKU and OCOP number of
    a few variants spread over the catalogue: {query: judge}."""
    from market.models import Certification, CertificationKind, Variant

    variants = Variant.objects.exclude(gtin=None).order_by("pk")
    total = variants.count()
    queries = {}
    for i in range(CODE_SAMPLES):
        variant = variants[i * total // CODE_SAMPLES]
        product = by_pks([variant.product_id])
        queries[variant.gtin.lstrip("0")] = product
        queries[variant.gtin.zfill(14)] = product
        queries[variant.sku] = product
        cert = Certification.objects.filter(
            product_id=variant.product_id, kind=CertificationKind.OCOP
        ).first()
        if cert is not None:
            # OCOP numbers repeat across sellers in the generated file.
            holders = Certification.objects.filter(number=cert.number)
            queries[cert.number] = by_pks(holders.values_list("product_id", flat=True))
    return queries


def judged_queries() -> dict:
    """{query: (kind of query, judge(product) -> relevant)}."""
    judged = {query: ("classic", by_kind(kind)) for query, kind in JUDGED.items()}
    for kind, queries in JUDGED_KINDS.items():
        for query, wanted in queries.items():
            judge = by_place(*wanted) if kind == "place" else by_kind(wanted)
            judged[query] = (kind, judge)
    for query, judge in code_queries().items():
        judged[query] = ("code", judge)
    return judged


def _timed_runs(query, backend, latencies, cpu, cold):
    """The query REPEATS times; the last page, or None when it was stopped."""
    page = []
    for attempt in range(REPEATS):
        started_cpu = time.process_time()
        try:
            elapsed, page = limited(lambda q=query: search_page(q, backend))
        except Stopped:
            return None  # the same query would be stopped again
        if attempt:  # the first run warms caches; report steady state
            latencies.append(elapsed)
            cpu.append((time.process_time() - started_cpu) * 1000)
        else:  # ... and what that first run cost, shown apart
            cold.append(elapsed)
    return page


def run_queries(backend: str, judged: dict):
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(QUERY_LIMIT * 1000)}")
    latencies, cpu, cold, stopped = [], [], [], []
    rr, recall, each = {}, {}, {}
    for query, (kind, judge) in judged.items():
        before = len(latencies)
        page = _timed_runs(query, backend, latencies, cpu, cold)
        each[query] = _median(latencies[before:])
        if page is None:
            stopped.append(query)
            page = []
        hits = [judge(product) for product in page]
        rr.setdefault(kind, []).append(
            next((1 / (i + 1) for i, hit in enumerate(hits) if hit), 0.0)
        )
        recall.setdefault(kind, []).append(sum(hits[:5]) / 5)
    nonsense_found = []
    for query in NONSENSE:
        page = _timed_runs(query, backend, latencies, cpu, cold)
        if page:
            nonsense_found.append(query)
    # Then every query once more in a shuffled order, as a mix of shoppers
    # would send them: nothing of the previous query helps the next one.
    mixed = []
    order = [query for query in [*judged, *NONSENSE] if query not in stopped]
    random.Random(4).shuffle(order)
    for query in order:
        try:
            mixed.append(limited(lambda q=query: search_page(q, backend))[0])
        except Stopped:
            stopped.append(query)
    every_rr = [value for values in rr.values() for value in values]
    every_recall = [value for values in recall.values() for value in values]
    return {
        "cold50": _median(cold),
        "cold95": percentile(cold, 0.95),
        "mixed50": _median(mixed),
        "mixed95": percentile(mixed, 0.95),
        "p50": _median(latencies),
        "p95": percentile(latencies, 0.95),
        "cpu50": _median(cpu),
        "cpu95": percentile(cpu, 0.95),
        "mrr": sum(every_rr) / len(every_rr),
        "recall5": sum(every_recall) / len(every_recall),
        "by_kind": {
            kind: (sum(values) / len(values), len(values))
            for kind, values in rr.items()
        },
        "nonsense_found": nonsense_found,
        "stopped": sorted(set(stopped)),
        "slowest": sorted(
            ((ms, query) for query, ms in each.items() if ms == ms),  # not NaN
            reverse=True,
        )[:SLOWEST],
    }


def _median(values):
    return statistics.median(values) if values else float("nan")


def chosen_backends(postgres: bool) -> list[tuple[str, str]]:
    """(name, backend entry) of the backends to run, from --backends=."""
    names = {"whoosh": "default", "database": "database"}
    if postgres:
        names["postgres"] = "postgres"
    chosen = [
        arg.split("=", 1)[1].split(",")
        for arg in sys.argv
        if arg.startswith("--backends=")
    ]
    wanted = chosen[0] if chosen else list(names)
    return [(name, backend) for name, backend in names.items() if name in wanted]


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
    judged = judged_queries()
    for name, backend in chosen_backends(postgres):
        if "--no-build" in sys.argv:  # time the queries on the indexes built before
            rate = "(not rebuilt)"
        else:
            products, seconds = build(backend)
            rate = f"{products / seconds:,.0f} products/s"
        f = run_queries(backend, judged)
        print(
            f"{name:<10} {rate:>22} {f['p50']:>8.1f} {f['p95']:>8.1f} "
            f"{f['cpu50']:>8.1f} {f['cpu95']:>8.1f} "
            f"{f['mrr']:>6.3f} {f['recall5']:>6.3f} "
            f"{f['mixed50']:>8.1f} {f['mixed95']:>8.1f} "
            f"{f['cold50']:>8.1f} {f['cold95']:>8.1f}",
            flush=True,
        )
        kinds = ", ".join(
            f"{kind} {mrr:.3f} ({n})" for kind, (mrr, n) in f["by_kind"].items()
        )
        print(f"{'':<10} MRR by kind of query: {kinds}", flush=True)
        print(
            f"{'':<10} nonsense queries with results: "
            f"{len(f['nonsense_found'])} of {len(NONSENSE)}"
            + (f" ({', '.join(f['nonsense_found'])})" if f["nonsense_found"] else ""),
            flush=True,
        )
        slowest = ", ".join(f"{query!r} {ms:.0f}" for ms, query in f["slowest"])
        print(f"{'':<10} slowest (median ms): {slowest}", flush=True)
        if f["stopped"]:
            print(
                f"{'':<10} {len(f['stopped'])} of {len(judged)} queries stopped "
                f"after {QUERY_LIMIT:.0f} s (counted as misses, not in the "
                f"times): {', '.join(f['stopped'])}",
                flush=True,
            )
    print(
        f"{len(judged)} judged + {len(NONSENSE)} nonsense queries x "
        f"{REPEATS - 1} timed runs; page of {PAGE} "
        "and the total count; cpu = this process's CPU time (load-independent); "
        "mix = each query once more, in a shuffled order; 1st = each query's "
        "first run (untimed in p50/p95: it fills the term tables)"
    )


if __name__ == "__main__":
    main()
