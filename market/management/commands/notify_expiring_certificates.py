"""Run daily (cron / systemd timer) to remind sellers of expiring certificates.

    15 6 * * *  cd /srv/nguonque && .venv/bin/python manage.py \
        notify_expiring_certificates

The command enqueues the task; with RQ workers it runs there, in the embedded
profile it runs at once. Each certificate is reminded about only once, so a
second run the same day (or a retry) sends nothing new.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from market.tasks import notify_expiring_certificates


class Command(BaseCommand):
    help = "Báo cho người bán các giấy chứng nhận sắp hết hạn trong 30 ngày tới."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Chạy như thể hôm nay là ngày này (YYYY-MM-DD), "
            "để chạy bù ngày bị lỡ.",
        )

    def handle(self, *args, **options):
        day = options.get("date")
        if day:
            try:
                dt.date.fromisoformat(day)
            except ValueError as error:
                raise CommandError("Ngày phải có dạng YYYY-MM-DD.") from error
        result = notify_expiring_certificates.enqueue(day)
        if result.is_finished:
            self.stdout.write(
                f"Đã báo {result.return_value} giấy chứng nhận sắp hết hạn."
            )
        else:
            self.stdout.write(f"Đã xếp hàng tác vụ {result.id}.")
