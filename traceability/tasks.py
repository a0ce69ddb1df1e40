"""Background tasks (django-tasks: immediate in the embedded profile, RQ in
production)."""

from __future__ import annotations

from django_tasks import task

from traceability.models import LabelRun
from traceability.services.labels import label_run_render


@task()
def label_run_render_task(run_id: int) -> int:
    """Draw a label run's PDF (progress is saved on the run per page)."""
    run = label_run_render(run=LabelRun.objects.get(pk=run_id))
    return run.progress
