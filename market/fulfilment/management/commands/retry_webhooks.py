"""`manage.py retry_webhooks`: send every webhook delivery that is due.

Run it every minute (cron) in the embedded profile, where tasks run
immediately and cannot wait for their backoff; with an RQ worker failed
deliveries are re-enqueued by themselves and this only catches stragglers.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from market.fulfilment.services.webhooks import webhook_deliveries_retry_due


class Command(BaseCommand):
    help = "Attempt every pending webhook delivery whose next attempt is due."

    def handle(self, *args, **options):
        tried = webhook_deliveries_retry_due()
        self.stdout.write(f"{tried} webhook deliveries attempted")
