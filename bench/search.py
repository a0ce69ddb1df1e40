"""Search speed and relevance at catalogue scale: Whoosh vs Wagtail's database
backend on the same data, in one run.

    .venv/bin/python bench/search.py [rows] [--fresh] [--no-build]

`rows` defaults to 100 000 variants.

`--no-build` times the queries again on the indexes a previous run built.

1. makes `rows` variants with ../shared/data/make_catalogue.py (bench/out/);
2. loads them into a fresh SQLite database with `manage.py import_catalogue`;
3. builds both indexes with `update_index` (prints objects/s);
4. runs the judged queries below through `ProductPage.objects.live().search(q)`
   exactly as the search page does (first page of 20 plus the total count),
   several times each, and prints p50/p95 latency and MRR / recall@5.

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
import time
from pathlib import Path

from import_catalogue import make_certificates_distinct  # bench/ is sys.path[0]

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GENERATOR = ROOT.parent / "shared" / "data" / "make_catalogue.py"
PAGE = 20
REPEATS = 3

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


def setup_django(index_dir: Path, db_path: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
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
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


def run_queries(backend: str):
    from cms.search.analysis import fold
    from market.models import ProductPage

    latencies, cpu, rr, recall, cold = [], [], [], [], []
    for query, kind in JUDGED.items():
        wanted = fold(kind)
        for attempt in range(REPEATS):
            started, started_cpu = time.perf_counter(), time.process_time()
            results = ProductPage.objects.live().search(query, backend=backend)
            page = list(results[:PAGE])
            results.count()
            elapsed = time.perf_counter() - started
            if attempt:  # the first run warms caches; report steady state
                latencies.append(elapsed * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            else:  # ... and what that first run cost, shown apart
                cold.append(elapsed * 1000)
        hits = [fold(product.title).startswith(wanted) for product in page]
        rr.append(next((1 / (i + 1) for i, hit in enumerate(hits) if hit), 0.0))
        recall.append(sum(hits[:5]) / 5)
    # Then every query once more in a shuffled order, as a mix of shoppers
    # would send them: nothing of the previous query helps the next one.
    mixed = []
    order = list(JUDGED)
    random.Random(4).shuffle(order)
    for query in order:
        started = time.perf_counter()
        results = ProductPage.objects.live().search(query, backend=backend)
        list(results[:PAGE])
        results.count()
        mixed.append((time.perf_counter() - started) * 1000)
    return {
        "cold50": statistics.median(cold),
        "cold95": percentile(cold, 0.95),
        "mixed50": statistics.median(mixed),
        "mixed95": percentile(mixed, 0.95),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "cpu50": statistics.median(cpu),
        "cpu95": percentile(cpu, 0.95),
        "mrr": sum(rr) / len(rr),
        "recall5": sum(recall) / len(recall),
    }


def main():
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    rows = int(args[0]) if args else 100_000
    if "--fresh" in sys.argv:
        shutil.rmtree(OUT / f"search-{rows}", ignore_errors=True)
    if not GENERATOR.exists():
        print(f"skipped: {GENERATOR} is absent")
        return
    csv_path = generate(rows)
    run_dir = OUT / f"search-{rows}"
    run_dir.mkdir(parents=True, exist_ok=True)
    loaded = run_dir / "loaded"
    setup_django(run_dir / "index", run_dir / "db.sqlite3")
    print(f"catalogue: {rows} variants ({csv_path.name})")
    if loaded.exists():
        # The import is the slow part and not what this measures; --fresh redoes it.
        print(f"import_catalogue: reusing {run_dir / 'db.sqlite3'}")
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
    print(
        f"{len(JUDGED)} judged queries x {REPEATS - 1} timed runs; page of {PAGE} "
        "and the total count; cpu = this process's CPU time (load-independent); "
        "mix = each query once more, in a shuffled order; 1st = each query's "
        "first run (untimed in p50/p95: it fills the term tables)"
    )


if __name__ == "__main__":
    main()
