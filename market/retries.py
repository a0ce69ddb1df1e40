"""Retried deliveries (partner webhooks, alerts): claiming the next attempt.

An attempt is claimed in its own short transaction before anything is sent:
the row's `next_attempt_at` moves forward first, so a crash during the HTTP
call leaves it due again later, and two workers never send it at once. The
wait doubles with each attempt from `base_seconds`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction


def backoff(attempts: int, *, base_seconds: int) -> dt.timedelta:
    return dt.timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


def attempt_claim(pending, *, now: dt.datetime, force: bool, base_seconds: int):
    """The row of `pending` (a queryset of one pending delivery), locked and
    with its attempt counted; None when it is gone, no longer pending, or
    not yet due (unless `force`)."""
    with transaction.atomic():
        delivery = pending.select_for_update().first()
        if delivery is None:
            return None
        if not force and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + backoff(
            delivery.attempts, base_seconds=base_seconds
        )
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery
