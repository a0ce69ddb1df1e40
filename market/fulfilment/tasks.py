"""Background tasks of fulfilment (django-tasks). In the embedded profile
they run immediately; retries then come from the periodic `retry_webhooks`
command. With an RQ worker a failed delivery is re-enqueued with `run_after`.
"""

from __future__ import annotations

from django_tasks import task

from .services.webhooks import webhook_deliveries_retry_due, webhook_delivery_attempt


@task()
def deliver_webhook(delivery_id: int) -> str | None:
    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


@task()
def retry_due_webhooks() -> int:
    return webhook_deliveries_retry_due()
