"""Background tasks of notifications (django-tasks). In the embedded profile
they run immediately and retries come from `manage.py retry_notifications`;
with RQ or the database backend a retry is re-enqueued with `run_after`."""

from __future__ import annotations

from django_tasks import task

from .services import deliveries_retry_due, delivery_attempt


@task()
def deliver_notification(delivery_id: int) -> str | None:
    delivery = delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


@task()
def retry_due_notifications() -> int:
    return deliveries_retry_due()
