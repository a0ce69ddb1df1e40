"""Anonymous page cache, side by side in one run (issue 16).

    .venv/bin/python bench/page_cache.py [--seconds 10] [--connections 16]
        [--workdir /tmp/nq-bench-pagecache] [--bakerydemo DIR]

Needs Redis on 127.0.0.1:6379 (database 6 is flushed) and `wrk` (Debian:
`apt-get install wrk`). Builds a SQLite database seeded with the demo
(`manage.py seed_demo`), starts two gunicorn hosts (2 sync workers each,
loopback) on it: one with the page cache off (every request renders, as a
cache miss does) and one with it on (Redis), then runs `wrk -t2` against each
page on each host in turn (never two at once) and prints requests/s, plus the
first view's weight (HTML + CSS + scripts, without product photos; budget
50 KB in DESIGN.md). `/healthz` (a `SELECT 1`, a Redis write and read, the
queue's oldest task) stands for a light Django view.

With `--bakerydemo DIR`, a checkout of github:wagtail/bakerydemo (clone it
yourself; nothing of it is kept in this repository), Wagtail's own demo runs
beside ours in the same run, the way its README deploys it
(`bakerydemo.settings.production`, SQLite, Redis for its cache and
renditions, WhiteNoise), under gunicorn with the same 2 sync workers: its
bread page is measured between our rendered and our cached product page, and
the script prints how many times faster our cache hit is (issue 16: ≥ 5×).
Its virtualenv (`--bakerydemo-venv`, made on first use with
`--bakerydemo-python`, 3.12 or newer, from its
requirements/base.txt plus gunicorn, WhiteNoise and django-redis) and its
database are kept between runs.
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
from hosts import Host, Process, free_port, manage, shared_env

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


class Bakerydemo(Process):
    """wagtail/bakerydemo under gunicorn, set up on first use."""

    BREAD = re.compile(r'href="(/breads/[a-z0-9-]+/)"')

    def __init__(self, checkout: Path, venv: Path, folder: Path, python: str):
        super().__init__(
            "bakerydemo",
            folder,
            {
                "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
                "DJANGO_SETTINGS_MODULE": "bakerydemo.settings.production",
                "DJANGO_SECRET_KEY": "bench-only",
                "DATABASE_URL": f"sqlite:///{venv / 'bakerydemo.sqlite3'}",
                # Its settings append /0 and /1: Redis databases 0 and 1.
                "REDIS_URL": "redis://127.0.0.1:6379",
                "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
                "DJANGO_LOG_LEVEL": "WARNING",
            },
        )
        self.python = python
        self.checkout = checkout
        self.venv = venv
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def _run(self, *args: str) -> None:
        subprocess.run(args, cwd=self.checkout, env=self.env, check=True)

    def prepare(self) -> None:
        python = str(self.venv / "bin" / "python")
        if not (self.venv / ".installed").exists():
            print("· installing wagtail/bakerydemo into", self.venv)
            # bakerydemo's Django 6 needs Python 3.12 or newer; in its folder,
            # pyenv picks the version its .python-version names.
            subprocess.run(
                [self.python, "-m", "venv", str(self.venv)],
                cwd=self.checkout,
                check=True,
            )
            self._run(
                python, "-m", "pip", "install", "-q",
                "-r", "requirements/base.txt", "gunicorn", "whitenoise", "django-redis",
            )  # fmt: skip
            (self.venv / ".installed").touch()
        if not (self.venv / "bakerydemo.sqlite3").exists():
            print("· migrating and loading bakerydemo's initial data")
            self._run(python, "manage.py", "migrate", "--noinput", "-v0")
            self._run(python, "manage.py", "load_initial_data")
        self._run(python, "manage.py", "collectstatic", "--noinput", "-v0")

    def start(self) -> None:
        self._start(
            [
                str(self.venv / "bin" / "gunicorn"), "bakerydemo.wsgi",
                "-w", "2", "-b", f"127.0.0.1:{self.port}",
            ],
            cwd=self.checkout,
        )  # fmt: skip
        self._wait_for(self.url + "/breads/")

    def bread_page(self) -> str:
        index = requests.get(self.url + "/breads/", timeout=30).text
        return self.BREAD.search(index).group(1)


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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--workdir", default=str(Path(tempfile.gettempdir()) / "nq-bench-pagecache")
    )
    parser.add_argument(
        "--bakerydemo", help="a checkout of github:wagtail/bakerydemo to run beside"
    )
    parser.add_argument(
        "--bakerydemo-venv",
        default=str(Path(tempfile.gettempdir()) / "nq-bench-bakerydemo-venv"),
    )
    parser.add_argument(
        "--bakerydemo-python",
        default="python3",
        help="the Python its virtualenv is made with (3.12 or newer)",
    )
    return parser.parse_args()


def our_pages(host: Host) -> dict[str, str]:
    market = requests.get(f"{host.url}/cho/", timeout=30).text
    product = re.search(r'<h2><a href="(/cho/[^"]+)">', market).group(1)
    return {
        "healthz (DB, Redis, queue)": "/healthz",
        "home": "/",
        "market list": "/cho/",
        "store": product.rsplit("/", 2)[0] + "/",
        "product": product,
    }


def measure(args, pages: dict[str, str], off: Host, on: Host, bread: str) -> None:
    """wrk on each page, rendered then cached, one run at a time; bakerydemo's
    bread page (when given) between our rendered and cached product page."""
    run = {"seconds": args.seconds, "connections": args.connections}
    print(
        f"\nwrk -t2 -c{args.connections} -d{args.seconds}s, gunicorn 2 sync "
        "workers per host, runs alternated\n"
    )
    print(f"{'page':32} {'rendered req/s':>15} {'cache hit req/s':>16} {'×':>6}")
    bread_figure = 0.0
    for name, path in pages.items():
        rendered = wrk(off.url + path, **run)
        if bread and name == "product":
            time.sleep(1)
            bread_figure = wrk(bread, **run)
            time.sleep(1)
        hit = wrk(on.url + path, **run)
        print(f"{name:32} {rendered:15.0f} {hit:16.0f} {hit / rendered:6.1f}")
        time.sleep(1)
    if bread:
        print(
            f"{'bakerydemo bread page':32} {bread_figure:15.0f} {'(no page cache)':>16}"
            f"\n\nour product page, cache hit, against bakerydemo's bread page: "
            f"{hit / bread_figure:.1f}× (goal ≥ 5×)"
        )


def main() -> None:
    args = parse_args()
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
    bakery = None
    if args.bakerydemo:
        bakery = Bakerydemo(
            Path(args.bakerydemo).resolve(),
            Path(args.bakerydemo_venv),
            workdir / "bakerydemo",
            args.bakerydemo_python,
        )
        bakery.prepare()
    try:
        bread = ""
        if bakery:
            bakery.start()
            bread = bakery.url + bakery.bread_page()
        off.start()
        on.start()
        pages = our_pages(on)
        # Warm all (templates, renditions, the cache).
        urls = [host.url + path for path in pages.values() for host in (off, on)]
        warm = urls + ([bread] if bread else [])
        for url in warm * 2:
            requests.get(url, timeout=60)
        cached = requests.get(on.url + pages["product"], timeout=30)
        assert cached.headers.get("X-Cache") == "hit", "product page not cached"
        measure(args, pages, off, on, bread)
        raw, packed = first_view_weight(on.url, pages["product"])
        print(
            f"\nproduct page first view (HTML + CSS + JS, no photos): "
            f"{raw / 1024:.1f} KB raw, {packed / 1024:.1f} KB gzip (budget 50 KB)"
        )
    finally:
        on.stop()
        off.stop()
        if bakery:
            bakery.stop()


if __name__ == "__main__":
    main()
