"""Tell a localstripe gateway where to send its signed events.

    manage.py register_gateway_webhook [--site http://127.0.0.1:8000] [--wait 30]

Posts `/_config/webhooks/nguonque` (url + PAYMENT_WEBHOOK_SECRET) to
PAYMENT_GATEWAY_URL, retrying while the gateway is still starting. Real
Stripe registers endpoints in its dashboard instead.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from market.payments import gateway


class Command(BaseCommand):
    help = "Register our card webhook with a localstripe gateway."

    def add_arguments(self, parser):
        parser.add_argument("--site", default="http://127.0.0.1:8000")
        parser.add_argument("--name", default="nguonque")
        parser.add_argument("--wait", type=float, default=30.0)

    def handle(self, *args, site: str, name: str, wait: float, **options):
        url = f"{site.rstrip('/')}{reverse('payments:gateway_webhook')}"
        client = gateway.GatewayClient(timeout=2)
        deadline = time.monotonic() + wait
        while True:
            try:
                client.register_webhook(
                    name=name, url=url, secret=settings.PAYMENT_WEBHOOK_SECRET
                )
                break
            except gateway.GatewayUnavailable as exc:
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"gateway at {client.base_url} did not answer"
                    ) from exc
                time.sleep(0.5)
        self.stdout.write(f"Webhook {name} → {url} ({client.base_url})")
