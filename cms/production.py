"""What the production profile requires of its secrets.

Plain Python with no Django import: `cms/settings.py` uses it to refuse to
start, and `cms/checks.py` to report through `manage.py check --deploy`.
"""

from __future__ import annotations

from collections.abc import Mapping

# The values a development install runs with. They are public (they are in
# this repository), so a request signed with one of them proves nothing.
DEVELOPMENT_SECRETS: dict[str, str] = {
    "SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production",
    "PAYMENT_GATEWAY_SECRET_KEY": "sk_test_nguonque",
    "PAYMENT_WEBHOOK_SECRET": "whsec_nguonque_dev",
    "BANK_WEBHOOK_SECRET": "bank_nguonque_dev",
    "QR_SIGNING_KEY": "nguonque-dev-qr-signing-key",
}
REQUIRED_SECRETS = tuple(DEVELOPMENT_SECRETS)


def secret_problems(values: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name, problem) for each secret that is missing, still its public
    development value, or (QR_SIGNING_KEY) the same as SECRET_KEY. An empty
    list means every secret is the operator's own."""
    problems = []
    for name in REQUIRED_SECRETS:
        value = (values.get(name) or "").strip()
        if not value:
            problems.append((name, "is not set"))
        elif value in DEVELOPMENT_SECRETS.values():
            problems.append((name, "is a public development value"))
    qr_key = (values.get("QR_SIGNING_KEY") or "").strip()
    flagged = {name for name, _problem in problems}
    if "QR_SIGNING_KEY" not in flagged and qr_key == values.get("SECRET_KEY", ""):
        # Rotating SECRET_KEY (Django's advice after a leak) must not turn
        # every printed label into "may be fake".
        problems.append(("QR_SIGNING_KEY", "must differ from SECRET_KEY"))
    return problems


def secret_problems_text(problems: list[tuple[str, str]]) -> str:
    return "; ".join(f"{name} {problem}" for name, problem in problems)
