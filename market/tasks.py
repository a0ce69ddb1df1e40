"""Background tasks of the market app (django-tasks).

In the embedded profile tasks run immediately; in production an RQ worker
runs them (see README). Arguments stay JSON-serialisable.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from market.services.certifications import certifications_notify_expiring


@task()
def notify_expiring_certificates(today: str | None = None) -> int:
    """Daily: e-mail each seller once about certificates expiring within 30
    days. `today` (ISO date) is for re-running a missed day."""
    day = dt.date.fromisoformat(today) if today else None
    return certifications_notify_expiring(today=day)
