"""The demo accounts' passwords are printed in the README: in the production
profile no account can sign in with one, nor be given one."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cms.demo import LOGINS

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
