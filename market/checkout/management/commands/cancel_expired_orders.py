"""`manage.py cancel_expired_orders`: run from cron every minute (see tasks.py)."""

from django.core.management.base import BaseCommand

from market.checkout.services import order_cancel_expired


class Command(BaseCommand):
    help = "Cancel unpaid orders whose stock hold has expired and release the stock."

    def handle(self, *args, **options):
        count = order_cancel_expired()
        self.stdout.write(f"Cancelled {count} expired order(s).")
