"""The README's production section, run line by line as written (issue 14),
on a fresh PostgreSQL database with PRODUCTION=1 and our own secrets:
`migrate` creates no user, the first operator is made with the documented
command, `check --deploy` is clean, the sample catalogue imports, gunicorn
serves our Vietnamese home page and `/healthz`, an API order gets 201, and
`seed_demo` is refused with the demo password unusable."""

from __future__ import annotations

import copy
import json
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from market.checkout.api import ORDER_EXAMPLE
from tests.cms.test_fresh_install import CATALOGUE
from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "cho.example.vn"
PASSWORD = "rau-sach-Hoi-An-2026"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the production profile runs on PostgreSQL; SQLite is the demo",
    ),
    pytest.mark.skipif(not shutil.which("createdb"), reason="no PostgreSQL tools"),
]


def readme_commands() -> list[str]:
    """The shell lines of the README's "Running the production profile"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Running the production profile", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    block = block.replace("\\\n", " ")  # continuation lines
    return [line.strip() for line in block.splitlines() if line.strip()]


def _database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgresql://{db.get('USER') or 'postgres'}{password}@"
        f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_url() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/3"


def _request(port: int, path: str, body: dict | None = None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Host": HOST,
            "X-Forwarded-Proto": "https",  # as the TLS proxy in front sets it
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_fresh"
    maintenance = f"--maintenance-db={_database_url('postgres')}"
    drop = ["dropdb", "--if-exists", "--force", maintenance, name]
    subprocess.run(drop, check=True, capture_output=True)  # noqa: S603
    create = ["createdb", maintenance, name]
    subprocess.run(create, check=True, capture_output=True)  # noqa: S603
    yield _database_url(name)
    subprocess.run(drop, check=True, capture_output=True)  # noqa: S603


@pytest.mark.skipif(
    not (CATALOGUE / "catalogue-sample.csv").exists(), reason="no sample catalogue"
)
def test_the_readme_production_section_works_top_to_bottom(  # noqa: C901 - one walk
    tmp_path, fresh_database
):
    env = production_env(
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        DATABASE_URL=fresh_database,
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SEARCH_INDEX_PATH=str(tmp_path / "search"),
        OPERATOR_PASSWORD=PASSWORD,
        PYTHONPATH=str(ROOT),
        REDIS_URL=_redis_url(),
    )

    def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(  # noqa: S603 - our interpreter, the README's lines
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check:
            assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
        return done

    def users() -> list:
        script = (
            "from django.contrib.auth import authenticate, get_user_model; "
            "import json; print(json.dumps([sorted(get_user_model().objects"
            ".values_list('username', flat=True)), authenticate(username="
            "'vanhanh', password='vanhanh-demo-2026') is None]))"
        )
        return json.loads(manage("shell", "-c", script).stdout.strip().splitlines()[-1])

    port, server, ran = _free_port(), None, []
    try:
        for line in readme_commands():
            if line.startswith(("new()", "export ")):
                continue  # the environment: production_env() above
            words = shlex.split(line, comments=True)
            if not words:
                continue  # a comment line
            if words[:2] == [".venv/bin/python", "manage.py"]:
                args = words[2:]
                if args[0] == "rqworker":
                    continue  # long-running workers: not needed for the checks
                if args[0] == "create_operator":
                    args.append("--noinput")  # password from OPERATOR_PASSWORD
                if args[0] == "import_catalogue" and not (ROOT / args[1]).exists():
                    args[1] = str(CATALOGUE / "catalogue-sample.csv")
                done = manage(*args)
                ran.append(args[0])
                if args[0] == "migrate":
                    assert users() == [[], True]  # no user after migrate
                if args[0] == "check":
                    assert "no issues" in done.stdout + done.stderr
            elif words[0] == ".venv/bin/gunicorn":
                # "&": the shell's background; Popen is that here.
                command = [str(BIN / "gunicorn"), *(w for w in words[1:] if w != "&")]
                command[command.index("-b") + 1] = f"127.0.0.1:{port}"
                server = subprocess.Popen(  # noqa: S603
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
                ran.append("gunicorn")
            elif words[0] == "curl":
                deadline = time.monotonic() + 120
                while True:
                    try:
                        status, body = _request(port, "/healthz")
                        break
                    except OSError:
                        if server.poll() is not None or time.monotonic() > deadline:
                            pytest.fail(f"gunicorn: {server.stderr.read()[-3000:]}")
                        time.sleep(0.5)
                assert status == 200, body
                assert json.loads(body)["status"] == "ok"
                ran.append("healthz")
            else:
                pytest.fail(f"the README has a line this walk does not know: {line}")

        assert ran == [
            "migrate",
            "create_operator",
            "collectstatic",
            "check",
            "import_catalogue",
            "update_index",
            "gunicorn",
            "healthz",
        ]
        status, home = _request(port, "/")
        assert status == 200
        assert '<html lang="vi">' in home
        assert "Welcome to your new Wagtail site" not in home

        sku = (
            manage(
                "shell",
                "-c",
                "from market.models import Variant; print(Variant.objects.filter("
                "stock__on_hand__gte=2, is_active=True).order_by('pk').first().sku)",
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        order = copy.deepcopy(ORDER_EXAMPLE)
        order["lines"] = [{"sku": sku, "quantity": 1}]
        status, body = _request(port, "/api/v1/orders/", order)
        assert status == 201, body
        assert json.loads(body)["total_vnd"] > 0
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)

    refused = manage("seed_demo", check=False)
    assert refused.returncode == 1
    assert "PRODUCTION=1" in refused.stderr
    assert users() == [["vanhanh"], True]  # the demo password never signs in
