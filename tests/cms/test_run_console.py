"""`make run`'s console: the demo logins are the last thing printed before the
server, e-mails go to var/mail/ and background lines to var/log/."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from cms.demo import LOGINS

REPO = Path(__file__).resolve().parents[2]
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def test_demo_logins_are_printed_with_where_mail_goes(settings, tmp_path):
    settings.EMAIL_BACKEND = FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    out = io.StringIO()

    call_command(
        "demo_logins",
        "--site",
        "http://127.0.0.1:8123",
        "--gateway",
        "http://127.0.0.1:8420",
        stdout=out,
    )

    text = out.getvalue()
    assert "http://127.0.0.1:8123/admin/" in text
    assert "4000 0000 0000 0341" in text
    assert f"{tmp_path / 'mail'}/" in text
    for login in LOGINS:
        assert f"{login.username} / {login.password}" in text
    assert text.strip().splitlines()[-1] == "Nhấn Ctrl-C để dừng."


def test_a_demo_e_mail_lands_in_a_file_not_on_the_console(settings, tmp_path, capsys):
    settings.EMAIL_BACKEND = FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    mail.get_connection().send_messages(
        [mail.EmailMessage("Đơn hàng NQ123456", "Cảm ơn bạn", to=["an@example.vn"])]
    )
    assert "NQ123456" not in capsys.readouterr().out
    assert len(list((tmp_path / "mail").iterdir())) == 1


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_run_prints_the_logins_last_and_keeps_workers_off_the_console():
    plan = subprocess.run(  # noqa: S603 — our own Makefile, dry run
        ["make", "-n", "run", "-C", str(REPO)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "seed_demo --no-logins" in plan
    assert plan.index("demo_logins") > plan.index("register_gateway_webhook")
    assert plan.index("demo_logins") < plan.index("runserver")
    assert "db_worker --queue-name '*' --no-startup-delay >>var/log/worker.log" in plan
    makefile = (REPO / "Makefile").read_text()
    assert f"run: export EMAIL_BACKEND ?= {FILE_BACKEND}" in makefile
    assert "run: export EMAIL_FILE_PATH ?= var/mail" in makefile
