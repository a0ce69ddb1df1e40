"""Run every minute: sends the notifications whose retry time has come.

* * * * *  cd /srv/nguonque && .venv/bin/python manage.py retry_notifications
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from market.notifications.services import deliveries_retry_due


class Command(BaseCommand):
    help = "Gửi lại các tin báo (SMS, Zalo, e-mail) đã đến giờ thử lại."

    def handle(self, *args, **options):
        count = deliveries_retry_due()
        self.stdout.write(f"Đã thử gửi lại {count} tin báo.")
