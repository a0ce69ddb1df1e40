"""System checks of the production profile, run by `manage.py check --deploy`."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from cms.production import REQUIRED_SECRETS, secret_problems


@checks.register(checks.Tags.security, deploy=True)
def secrets_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An error for each secret that is missing, a public development value,
    or (QR_SIGNING_KEY) the Django secret again."""
    values = {name: getattr(settings, name, "") or "" for name in REQUIRED_SECRETS}
    return [
        checks.Error(
            f"{name} {problem}.",
            hint=(
                f"Set {name} in the environment to a random value of your own, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` "
                "(the gateway's keys come from the gateway)."
            ),
            id="cms.E001",
        )
        for name, problem in secret_problems(values)
    ]
