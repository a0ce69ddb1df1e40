"""`manage.py create_operator USERNAME [--email E]`: a market operator.

The account is staff and a member of the operator group ("Người vận hành
chợ"), with that group's rights and nothing more (not a superuser). The
password is asked twice, or read from `OPERATOR_PASSWORD` with `--noinput`.
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from market.services.sellers import operator_group_ensure


class Command(BaseCommand):
    help = "Create a market operator account (staff, in the operator group)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--noinput",
            action="store_true",
            help="Read the password from the OPERATOR_PASSWORD variable.",
        )

    def handle(self, *args, username: str, email: str, noinput: bool, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(
                _("Đã có tài khoản %(name)s. Chọn tên đăng nhập khác.")
                % {"name": username}
            )
        password = self._password(noinput=noinput)
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(operator_group_ensure())
        self.stdout.write(
            _("Đã tạo người vận hành %(name)s. Đăng nhập tại /admin/.")
            % {"name": username}
        )

    def _password(self, *, noinput: bool) -> str:
        if noinput:
            password = os.environ.get("OPERATOR_PASSWORD", "")
            if not password:
                raise CommandError(_("Đặt biến OPERATOR_PASSWORD khi dùng --noinput."))
            return password
        password = getpass.getpass(_("Mật khẩu: "))
        if password != getpass.getpass(_("Nhập lại mật khẩu: ")):
            raise CommandError(_("Hai lần nhập mật khẩu không giống nhau. Thử lại."))
        return password
