"""The production profile refuses public development secrets and
`check --deploy` reports them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.checks import secrets_check
from cms.production import DEVELOPMENT_SECRETS
from tests.production_env import OWN_SECRETS, production_env, production_settings


def test_production_settings_load_with_the_operators_own_secrets():
    loaded = production_settings()

    assert loaded["DEBUG"] is False
    assert loaded["PAYMENT_WEBHOOK_SECRET"] == OWN_SECRETS["PAYMENT_WEBHOOK_SECRET"]
    assert loaded["QR_SIGNING_KEY"] == OWN_SECRETS["QR_SIGNING_KEY"]


@pytest.mark.parametrize("name", sorted(DEVELOPMENT_SECRETS))
def test_production_refuses_to_start_without_each_secret(name):
    with pytest.raises(ImproperlyConfigured, match=f"{name} is not set"):
        production_settings(**{name: None})


@pytest.mark.parametrize(
    "name", sorted(name for name, value in DEVELOPMENT_SECRETS.items() if value)
)
def test_production_refuses_to_start_on_a_development_secret(name):
    with pytest.raises(ImproperlyConfigured, match=f"{name} is a public development"):
        production_settings(**{name: DEVELOPMENT_SECRETS[name]})


def test_production_refuses_the_django_secret_as_qr_key():
    with pytest.raises(ImproperlyConfigured, match="QR_SIGNING_KEY must differ"):
        production_settings(QR_SIGNING_KEY=OWN_SECRETS["SECRET_KEY"])


def test_deploy_check_reports_development_and_missing_secrets(settings):
    for name, value in OWN_SECRETS.items():
        setattr(settings, name, value)
    assert secrets_check() == []

    settings.BANK_WEBHOOK_SECRET = DEVELOPMENT_SECRETS["BANK_WEBHOOK_SECRET"]
    settings.PAYMENT_WEBHOOK_SECRET = ""
    errors = secrets_check()

    assert [(error.id, error.msg) for error in errors] == [
        ("cms.E001", "PAYMENT_WEBHOOK_SECRET is not set."),
        ("cms.E001", "BANK_WEBHOOK_SECRET is a public development value."),
    ]


def test_check_deploy_of_the_development_settings_names_their_secrets(tmp_path):
    """Without PRODUCTION the settings load; `check --deploy` fails and says
    which secrets are the public development ones."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    for name in ("PAYMENT_WEBHOOK_SECRET", "BANK_WEBHOOK_SECRET", "SECRET_KEY"):
        assert f"(cms.E001) {name} is a public development value." in result.stderr


def test_production_start_up_names_the_development_secret(tmp_path):
    env = production_env(
        BANK_WEBHOOK_SECRET=DEVELOPMENT_SECRETS["BANK_WEBHOOK_SECRET"],
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "BANK_WEBHOOK_SECRET is a public development value" in result.stderr
