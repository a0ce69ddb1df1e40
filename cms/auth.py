"""Sign-in rules.

- The demo accounts' passwords are printed in the README: in the production
  profile no account can sign in with one, nor be given one.
- Failed sign-ins are throttled per account and per client address with
  django-axes (OWASP ASVS 2.2.1, anti-automation): every login form on the
  site (admin, post-office portal, any later one) goes through Django's
  `authenticate`, so the backend below covers it without per-view code.
"""

from __future__ import annotations

import logging
import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from cms.demo import LOGINS
from market.checkout.clients import client_address

logger = logging.getLogger("cms.auth")

DEMO_PASSWORDS = frozenset(login.password for login in LOGINS)


def _refused(password: str | None) -> bool:
    return bool(settings.PRODUCTION and password in DEMO_PASSWORDS)


class NoDemoPasswordBackend(ModelBackend):
    """Django's model backend, refusing the demo passwords in production."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if _refused(password):
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )


class NoDemoPasswordValidator:
    """Password validator: a demo password is never set in production."""

    def validate(self, password, user=None):
        if _refused(password):
            raise ValidationError(
                _("Mật khẩu này là mật khẩu mẫu ai cũng biết. Hãy chọn mật khẩu khác."),
                code="demo_password",
            )

    def get_help_text(self):
        return _("Không dùng mật khẩu của tài khoản mẫu.")


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check before any password is tried (#19, item 5): a
    locked account or client address is refused before the model backend.

    Sign-ins that come with no HTTP request (a management command, the test
    client's `login()`) cannot be brute-forced from outside and are not
    counted: axes itself refuses to run without a request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )


def login_cool_off_minutes() -> int:
    """The lock's length in whole minutes, rounded up, as the page says it."""
    seconds = settings.AXES_COOLOFF_TIME.total_seconds()
    return max(1, math.ceil(seconds / 60))


def login_locked_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in sees (AXES_LOCKOUT_CALLABLE): a page in plain
    Vietnamese with the wait, status 429, and a log line for the operator."""
    logger.warning(
        "login locked: path=%s account=%r client=%s for %s min",
        request.path,
        (credentials or {}).get("username", ""),
        client_address(request),
        login_cool_off_minutes(),
    )
    return render(
        request,
        "cms/login_locked.html",
        {"minutes": login_cool_off_minutes()},
        status=429,
    )
