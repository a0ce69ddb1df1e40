"""Receivers (connected in apps.py). Thin: each calls one notification
service.

* `market.signals.order_paid` (sent on commit by checkout): each seller is
  told what to pack.
* Wagtail's `workflow_approved` / `workflow_rejected`: the farmer is told
  that the operator published their product, or sent it back.
"""

from __future__ import annotations

from django.dispatch import receiver
from wagtail.signals import workflow_approved, workflow_rejected

from market import signals
from market.models import ProductPage

from .events import order_paid_notify, product_review_notify


@receiver(signals.order_paid, dispatch_uid="notifications.order_to_pack")
def order_to_pack(sender, order, **kwargs):
    order_paid_notify(order=order)


def _product_of(workflow_state):
    content = workflow_state.content_object
    specific = getattr(content, "specific", content)
    return specific if isinstance(specific, ProductPage) else None


def _last_comment(workflow_state) -> str:
    task_state = workflow_state.task_states.order_by("-finished_at", "-pk").first()
    return (task_state.comment if task_state else "") or ""


@receiver(workflow_approved, dispatch_uid="notifications.product_published")
def product_approved(sender, instance, user=None, **kwargs):
    product = _product_of(instance)
    if product is not None:
        product_review_notify(product=product, approved=True, revision_id=instance.pk)


@receiver(workflow_rejected, dispatch_uid="notifications.product_rejected")
def product_rejected(sender, instance, user=None, **kwargs):
    product = _product_of(instance)
    if product is not None:
        product_review_notify(
            product=product,
            approved=False,
            note=_last_comment(instance),
            revision_id=instance.pk,
        )
