"""Benchmark the catalogue import: N generated rows into a fresh SQLite DB.

    .venv/bin/python bench/import_catalogue.py            # 100 000 rows
    .venv/bin/python bench/import_catalogue.py --rows 5000

Rows come from the shared generator (../shared/data/make_catalogue.py, beside
the repository); without it the script says so and stops. Prints the time
of each phase, rows per second, and the time of a second, idempotent run.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GENERATOR = REPO.parent / "shared" / "data" / "make_catalogue.py"


def generate(rows: int, folder: Path) -> Path:
    raw = folder / "generated.csv"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--rows", str(rows), "-o", str(raw)],
        check=True,
    )
    return make_certificates_distinct(raw, folder / "catalogue.csv")


def make_certificates_distinct(source: Path, target: Path) -> Path:
    """The generator draws OCOP numbers at random, so a few repeat across two
    products of one seller. The import rightly refuses that (one certificate
    per product), so give the later product its own number."""
    owner: dict[tuple[str, str], str] = {}
    renamed = 0
    with (
        source.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(src)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in reader:
            number = row["ocop_certificate"]
            if number:
                key = (row["tax_code"], number)
                first = owner.setdefault(key, row["product_name"])
                if first != row["product_name"]:
                    suffix = zlib.crc32(row["product_name"].encode()) % 10**6
                    row["ocop_certificate"] = f"{number}-{suffix}"
                    owner.setdefault(
                        (row["tax_code"], row["ocop_certificate"]), row["product_name"]
                    )
                    renamed += 1
            writer.writerow(row)
    print(f"certificate numbers made distinct on {renamed} rows")
    return target


def setup_django(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["SEARCH_INDEX_PATH"] = str(folder / "search")
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cms.demo import seed_site
    from market.services.setup import market_index_ensure

    seed_site()
    market_index_ensure()


def timed_import(path: Path) -> tuple[dict, float, object]:
    from tqdm import tqdm

    from market.services.imports import catalogue_apply, catalogue_parse, catalogue_plan

    phases = {}
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as stream:
        rows, errors, _warnings = catalogue_parse(
            stream=stream, progress=lambda it: tqdm(it, unit=" rows", mininterval=2)
        )
    phases["parse + validate"] = time.perf_counter() - started
    mark = time.perf_counter()
    plan = catalogue_plan(rows=rows, approve_certifications=True)
    plan.errors = [*errors, *plan.errors]
    phases["plan"] = time.perf_counter() - mark
    if plan.errors:
        for error in plan.errors[:20]:
            print(error)
        raise SystemExit(f"{len(plan.errors)} errors; nothing imported")
    mark = time.perf_counter()
    if plan.change_count:
        catalogue_apply(plan=plan)
    phases["apply (one transaction)"] = time.perf_counter() - mark
    return phases, time.perf_counter() - started, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if not GENERATOR.exists():
        print(f"skipped: the shared generator is not at {GENERATOR}")
        return
    with tempfile.TemporaryDirectory(prefix="nq-bench-import-") as tmp:
        folder = Path(tmp)
        path = generate(args.rows, folder)
        setup_django(folder)
        for label in ("first import", "second import (same file)"):
            phases, total, plan = timed_import(path)
            print(
                f"\n{label}: {args.rows} rows in {total:.1f} s "
                f"= {args.rows / total:.0f} rows/s"
            )
            for name, seconds in phases.items():
                print(f"  {name:<26} {seconds:8.1f} s")
            counts = plan.counts
            print("  " + ", ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
