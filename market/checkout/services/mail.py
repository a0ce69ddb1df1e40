"""The shopper's order e-mails, sent by a task once the change is committed."""

from __future__ import annotations

from django.db import transaction

from market.checkout.models import Order


def order_mail_on_commit(order: Order, kind: str, **extra) -> None:
    """Queue the `kind` e-mail (placed, paid, shipped, refunded) for after the
    commit; nothing is sent for a change that rolls back, or without e-mail."""
    # The task module imports these services (expiry job): look it up here.
    from market.checkout.tasks import send_order_mail

    if not order.email:
        return
    transaction.on_commit(
        lambda: send_order_mail.enqueue(order_id=order.pk, kind=kind, **extra)
    )
