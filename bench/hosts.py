"""App hosts on this machine for the scale-out proofs and benchmarks.

Each `Host` is one gunicorn (sync workers) on its own loopback port with its
own working folder (MEDIA_ROOT, SEARCH_INDEX_PATH, temp files): nothing is
shared on disk, as on two machines. What they share is what several machines
would share: PostgreSQL (DATABASE_URL), Redis (REDIS_URL: cache, sessions, RQ
tasks), the S3-compatible store and the search engine. `Worker` is one
`manage.py rqworker` (the background tasks: label PDFs, search index writes),
`Gateway` the card gateway (localstripe).

Used by tests/scale/test_two_hosts.py, bench/page_cache.py and bench/load.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shared_env(
    *,
    database_url: str,
    redis_url: str = "",
    s3_endpoint: str = "",
    media_bucket: str = "",
    private_bucket: str = "",
    **extra: str,
) -> dict[str, str]:
    """The environment every host and worker of one set-up shares."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "DATABASE_", "REDIS_"))
    }
    env.update(
        {
            # Our checkout, not whatever the venv was installed from.
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    if s3_endpoint:
        env.update(
            {
                "S3_ENDPOINT_URL": s3_endpoint,
                "AWS_ACCESS_KEY_ID": env.get("AWS_ACCESS_KEY_ID", "nguonque-test"),
                "AWS_SECRET_ACCESS_KEY": env.get(
                    "AWS_SECRET_ACCESS_KEY", "nguonque-test-secret"
                ),
            }
        )
    if media_bucket:
        env["MEDIA_BUCKET"] = media_bucket
    if private_bucket:
        env["PRIVATE_MEDIA_BUCKET"] = private_bucket
    env.update(extra)
    return env


class Process:
    def __init__(self, name: str, folder: Path, env: dict[str, str]):
        self.name = name
        self.folder = Path(folder)
        for sub in ("media", "search", "tmp"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self.env = {
            **env,
            "MEDIA_ROOT": str(self.folder / "media"),
            "SEARCH_INDEX_PATH": str(self.folder / "search"),
            "TMPDIR": str(self.folder / "tmp"),
        }
        self.log = self.folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def _start(self, args: list[str], *, cwd: Path | None = None) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                args,
                cwd=cwd or self.folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_for(self, url: str, *, timeout: float = 60) -> None:
        """Until `url` answers 200; fails with the log if the process exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                if requests.get(url, timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class Host(Process):
    """One app host: gunicorn on 127.0.0.1:<port>."""

    def __init__(self, name, folder, env, *, port: int = 0, workers: int = 2):
        super().__init__(name, folder, env)
        self.port = port or free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 60) -> Host:
        self._start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cms.wsgi",
                "--chdir",
                str(ROOT),
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
            ]
        )
        self._wait_for(f"{self.url}/healthz", timeout=timeout)
        return self


class Worker(Process):
    """One RQ worker for the task queues (label PDFs, search index writes)."""

    def start(self, *queues: str) -> Worker:
        self._start(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "rqworker",
                *(queues or ("default", "search")),
                # django-tasks-rq's job class: with RQ's own, every task
                # fails ("'Task' object is not callable").
                "--job-class",
                "django_tasks_rq.backend.Job",
                "--worker-class",
                "rq.SimpleWorker",
            ]
        )
        time.sleep(1)
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
        return self


class Gateway(Process):
    """The card gateway (localstripe, market.payments.local_gateway) on its
    own loopback port."""

    def __init__(self, name, folder, env, *, port: int = 0):
        super().__init__(name, folder, env)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> Gateway:
        self._start(
            [sys.executable, "-m", "market.payments.local_gateway",
             "--port", str(self.port)],
            cwd=ROOT,
        )  # fmt: skip
        self._wait_for(f"{self.url}/js.stripe.com/v3/", timeout=30)
        return self


def manage(env: dict[str, str], *args: str, folder: Path | None = None) -> str:
    """Run one management command with `env` (a host's or the shared one)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=folder or ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)}:\n{done.stdout}{done.stderr}")
    return done.stdout
