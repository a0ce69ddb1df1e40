"""`manage.py partner_token --list` lists partner codes;
`manage.py partner_token CODE` prints a new API key for that partner."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from market.fulfilment.models import Partner
from market.fulfilment.services.partners import partner_token_issue


class Command(BaseCommand):
    help = "List partner codes, or issue a new API key for one partner."

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="partner code")
        parser.add_argument("--list", action="store_true", help="list partner codes")
        parser.add_argument("--name", default="manage.py", help="label of the key")

    def handle(self, *args, code=None, list=False, name="", **options):
        if list or not code:
            for partner in Partner.objects.order_by("code"):
                state = "" if partner.is_active else "  (ngừng)"
                self.stdout.write(f"{partner.code}\t{partner.name}{state}")
            if not list and not code:
                self.stderr.write("Cho mã bưu cục để tạo khóa: partner_token CODE")
            return
        partner = Partner.objects.filter(code=code).first()
        if partner is None:
            raise CommandError(
                f"Không có bưu cục mã {code!r}. Xem danh sách: partner_token --list"
            )
        issued = partner_token_issue(partner=partner, name=name)
        self.stdout.write(issued.key)
