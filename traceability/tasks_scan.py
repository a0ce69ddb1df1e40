"""Background work for the scan page (django-tasks: immediate in the
embedded profile, RQ workers in production)."""

from __future__ import annotations

from django_tasks import task
from wagtail.images import get_image_model

from traceability.services.scans import copied_code_alert


@task()
def scan_photo_prepare_task(image_id: int, spec: str) -> bool:
    """Make the small WebP rendition the scan page shows for an image.

    The page never renders images itself (it must stay within its query
    budget); it asks for this when it finds a photo without its rendition,
    and shows the photo from the next scan on.
    """
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        return False
    image.get_rendition(spec)
    return True


@task()
def copied_code_alert_task(lot_id: int, serial: str) -> int:
    """A scan found a unit code that looks copied: tell its seller (once)."""
    return copied_code_alert(lot_id=lot_id, serial=serial)
