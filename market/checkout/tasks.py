"""Background tasks of checkout (django-tasks).

Scheduling: `cancel_expired_orders` must run every minute or two so unpaid
orders give their stock back soon after `ORDER_HOLD_MINUTES`. Use either

* cron: `* * * * * cd /srv/nguonque && .venv/bin/python manage.py cancel_expired_orders`
* or any scheduler that enqueues `market.checkout.tasks.cancel_expired_orders`
  for the RQ worker (production profile).

The job is safe to run twice at once: each order is re-checked under its
row lock before it is cancelled.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from market.checkout.models import Order, Shipment
from market.checkout.notifications import order_mail_send
from market.checkout.services import order_cancel_expired


@task()
def cancel_expired_orders() -> int:
    """Cancel unpaid orders past their hold and release their stock."""
    return order_cancel_expired()


@task()
def send_order_mail(
    order_id: int,
    kind: str,
    shipment_id: int | None = None,
    amount_vnd: int = 0,
    hold_until: str | None = None,
) -> bool:
    """E-mail the shopper about their order (placed, paid, shipped, refunded).
    `hold_until` (ISO time) is the hold when the order was placed."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return False
    shipment = Shipment.objects.filter(pk=shipment_id).first() if shipment_id else None
    return order_mail_send(
        order=order,
        kind=kind,
        shipment=shipment,
        amount_vnd=amount_vnd,
        hold_until=dt.datetime.fromisoformat(hold_until) if hold_until else None,
    )
