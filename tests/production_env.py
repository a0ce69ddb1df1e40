"""The production profile's settings, read fresh from cms/settings.py with a
given environment (without touching the settings the tests run on)."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from unittest import mock

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "cms" / "settings.py"

# Secrets of our own: what an operator puts in the environment.
OWN_SECRETS = {
    "SECRET_KEY": "k9#Tq2!vLz8@pW4$rN6^bX1&mC3*hJ7(sD5)fG0_aE-yU+iO=Zr8%Lw2~Qe",
    "PAYMENT_GATEWAY_SECRET_KEY": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "PAYMENT_WEBHOOK_SECRET": "whsec_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "BANK_WEBHOOK_SECRET": "bank-7Yx2Qm9Lr4Tz8Wc1Vb6Nd3",
    "QR_SIGNING_KEY": "qr-3Jd8Kq1Zp7Xm2Lw9Rt5Yv0Bn6",
}


def production_env(**overrides: str | None) -> dict[str, str]:
    """A complete production environment; an override of None removes it."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PRODUCTION": "1",
        "ALLOWED_HOSTS": "cho.nguonque.vn",
        "SITE_URL": "https://cho.nguonque.vn",
        **OWN_SECRETS,
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def production_settings(**overrides: str | None) -> dict:
    """The names cms/settings.py defines under this production environment."""
    with mock.patch.dict(os.environ, production_env(**overrides), clear=True):
        return runpy.run_path(str(SETTINGS_FILE))
