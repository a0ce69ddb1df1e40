"""Label sheet speed: N unit labels (default 10 000) drawn to one A4 PDF.

Prints labels/s, total seconds and PDF size for one process and for two
worker processes, then decodes a sample of labels from the PDF's own page
images with zxing-cpp. The budget is 10 000 labels within 60 s on 2 cores.

    .venv/bin/python bench/labels.py [count] [workers …]

Runs the same pure renderer the background task runs
(`traceability.labels.write_pdf`), without a database: the task adds one
small UPDATE per page for progress.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from traceability import digital_link
from traceability import labels as rendering


def job(count: int) -> rendering.LabelJob:
    make_link = functools.partial(
        digital_link.build_gs1,
        base_url="https://nguonque.vn",
        key=b"bench-key",
        gtin="8930000000019",
        lot="MAM-261015",
        lot_id=1,
        expiry=None,
    )
    return rendering.LabelJob(
        layout=rendering.SheetLayout(columns=4, rows=10),
        content=rendering.LabelContent(
            product="Nước mắm cá cơm Cẩm Thanh - chai 500 ml",
            lot_line="Lô MAM-261015",
            harvest_line="Thu hoạch 15/10/2026",
            certifications=("OCOP ★★★★", "VietGAP VG-12-34"),
            domain="nguonque.vn",
        ),
        make_link=make_link,
        serials=[str(n) for n in range(1, count + 1)],
    )


def run(count: int, workers: int) -> Path:
    path = Path(tempfile.mkdtemp(prefix="nq-bench-")) / "labels.pdf"
    start, cpu_start = time.perf_counter(), time.process_time()
    with path.open("wb") as fp:
        pages = rendering.write_pdf(job(count), fp, workers=workers)
    seconds = time.perf_counter() - start
    # CPU time of this process (the parent only when workers > 1): what the
    # run costs, whatever else the shared machine is doing.
    cpu = time.process_time() - cpu_start
    size = path.stat().st_size
    print(
        f"workers={workers}: {count} labels, {pages} pages in {seconds:.1f} s "
        f"= {count / seconds:.0f} labels/s (parent CPU {cpu:.1f} s); "
        f"PDF {size / 1e6:.1f} MB ({size / count:.0f} bytes/label)"
    )
    return path


def check(path: Path, count: int) -> None:
    try:
        import zxingcpp

        from tests.traceability.pdf_pages import pdf_page_images
    except ImportError:
        return
    pages = pdf_page_images(path)
    sample = [pages[0], pages[len(pages) // 2], pages[-1]]
    decoded = sum(
        len(zxingcpp.read_barcodes(p.convert("L"), try_invert=False)) for p in sample
    )
    expected = 80 + min(40, count - 40 * (len(pages) - 1))
    print(f"decoded {decoded} of {expected} labels on 3 sampled PDF pages")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f}")
    workers = [int(w) for w in sys.argv[2:]] or [1, 2]
    for n in workers:
        path = run(count, workers=n)
    check(path, count)


if __name__ == "__main__":
    main()
