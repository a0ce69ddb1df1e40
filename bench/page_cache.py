"""Anonymous page cache, side by side in one run (issue 16).

    .venv/bin/python bench/page_cache.py [--seconds 10] [--connections 16]
        [--workdir /tmp/nq-bench-pagecache]

Needs Redis on 127.0.0.1:6379 (database 6 is flushed) and `wrk` (Debian:
`apt-get install wrk`). Builds a SQLite database seeded with the demo
(`manage.py seed_demo`), starts two gunicorn hosts (2 sync workers each,
loopback) on it: one with the page cache off (every request renders, as a
cache miss does) and one with it on (Redis), then runs `wrk -t2` against each
page on each host in turn (never two at once) and prints requests/s, plus the
first view's weight (HTML + CSS + scripts, without product photos; budget
50 KB in DESIGN.md). `/healthz` (one `SELECT 1`) stands for a bare Django view.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hosts import Host, manage, shared_env

REDIS = "redis://127.0.0.1:6379/6"


def wrk(url: str, *, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  ! {errors.group(1)} non-2xx responses from {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def first_view_weight(base: str, path: str) -> tuple[int, int]:
    """Bytes raw and gzip of the HTML with its stylesheets and scripts."""
    html = requests.get(base + path, timeout=30).content
    parts = [html]
    text = html.decode()
    links = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', text)
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', text)
    for href in links + scripts:
        url = href if href.startswith("http") else base + href
        parts.append(requests.get(url, timeout=30).content)
    raw = sum(len(part) for part in parts)
    packed = sum(len(gzip.compress(part, 6)) for part in parts)
    return raw, packed


def prepare(workdir: Path) -> dict[str, str]:
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    env = shared_env(database_url=f"sqlite:///{workdir / 'db.sqlite3'}")
    env.update(
        MEDIA_ROOT=str(workdir / "media"), SEARCH_INDEX_PATH=str(workdir / "search")
    )
    print("· migrating and seeding the demo")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--no-logins")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--workdir", default=str(Path(tempfile.gettempdir()) / "nq-bench-pagecache")
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    workdir = Path(args.workdir)
    env = prepare(workdir)
    # Both hosts read the same SQLite file, with Redis for the cache.
    off = Host(
        "cache-off",
        workdir / "off",
        {**env, "REDIS_URL": REDIS, "PAGE_CACHE_SECONDS": "0"},
    )
    on = Host(
        "cache-on",
        workdir / "on",
        {**env, "REDIS_URL": REDIS, "PAGE_CACHE_SECONDS": "300"},
    )
    for host in (off, on):
        # One database and media folder for both: this is one machine.
        host.env.update(MEDIA_ROOT=env["MEDIA_ROOT"])
    try:
        off.start()
        on.start()
        market = requests.get(f"{on.url}/cho/", timeout=30).text
        product = re.search(r'<h2><a href="(/cho/[^"]+)">', market).group(1)
        store = product.rsplit("/", 2)[0] + "/"
        pages = {
            "healthz (bare view, 1 query)": "/healthz",
            "home": "/",
            "market list": "/cho/",
            "store": store,
            "product": product,
        }
        for path in pages.values():  # warm both (templates, renditions, cache)
            for host in (off, on):
                for _ in range(2):
                    requests.get(host.url + path, timeout=60)
        cached = requests.get(on.url + product, timeout=30).headers.get("X-Cache")
        assert cached == "hit", f"product page not served from the cache: {cached}"
        print(
            f"\nwrk -t2 -c{args.connections} -d{args.seconds}s, gunicorn 2 sync "
            "workers per host, runs alternated\n"
        )
        print(f"{'page':32} {'rendered req/s':>15} {'cache hit req/s':>16} {'×':>6}")
        for name, path in pages.items():
            rendered = wrk(
                off.url + path, seconds=args.seconds, connections=args.connections
            )
            hit = wrk(on.url + path, seconds=args.seconds, connections=args.connections)
            print(f"{name:32} {rendered:15.0f} {hit:16.0f} {hit / rendered:6.1f}")
            time.sleep(1)
        raw, packed = first_view_weight(on.url, product)
        print(
            f"\nproduct page first view (HTML + CSS + JS, no photos): "
            f"{raw / 1024:.1f} KB raw, {packed / 1024:.1f} KB gzip (budget 50 KB)"
        )
    finally:
        on.stop()
        off.stop()


if __name__ == "__main__":
    main()
