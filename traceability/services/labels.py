"""Label runs: reserve a range of unit serials for a lot and print them.

Serials are never stored one row each: a run reserves
`first_serial … first_serial + count - 1` by moving `Lot.serials_issued`
forward (an `F()` update on the locked lot row), so two runs can never share
a serial, and a serial is genuine exactly when it is ≤ `serials_issued`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import tempfile
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traceability import digital_link
from traceability import labels as rendering
from traceability.models import LabelRun, LabelRunStatus, Lot, LotStatus
from traceability.selectors import lot_certifications
from traceability.services.links import serial_format, signing_key

logger = logging.getLogger(__name__)

MAX_LABELS_PER_RUN = 20_000
LOT_NOT_ACTIVE = gettext_lazy("Lô này đã thu hồi hoặc hết hạn, không in thêm tem.")
# A run that shows no progress for this long has lost its worker (a page
# takes about a second): it may be started again.
STALLED_AFTER = dt.timedelta(minutes=5)
# Pages are drawn in this one process by default: measured with
# bench/labels.py on the shared 2-core machine, two worker processes were
# slower than one (the PDF writer in the parent competes with them).
DEFAULT_WORKERS = 1


def label_run_create(
    *, lot: Lot, count: int, columns: int = 4, rows: int = 10, actor=None
) -> LabelRun:
    """Reserve `count` new serials of `lot` and queue the PDF.

    Rules kept: only an active lot gets labels; serial ranges of a lot never
    overlap (the lot row is locked and `serials_issued` moves with `F()`);
    the grid leaves a readable QR code. The PDF is drawn after commit.
    """
    if not 1 <= count <= MAX_LABELS_PER_RUN:
        raise ValidationError(
            {
                "count": _("Mỗi lần in từ 1 đến %(max)s tem.")
                % {"max": MAX_LABELS_PER_RUN}
            }
        )
    layout = rendering.SheetLayout(columns=columns, rows=rows)
    # The longest link this run can print: its last serial.
    longest = label_link_maker(lot=lot)(
        serial=serial_format(lot.serials_issued + count)
    )
    try:
        rendering.plan(layout, longest)
    except rendering.LabelError as exc:
        raise ValidationError(
            _(
                "Lưới %(c)s cột x %(r)s hàng quá dày, mã QR sẽ khó quét. "
                "Hãy chọn ít cột hoặc ít hàng hơn."
            )
            % {"c": columns, "r": rows}
        ) from exc
    with transaction.atomic():
        locked = Lot.objects.select_for_update().get(pk=lot.pk)
        if locked.status != LotStatus.ACTIVE:
            raise ValidationError(LOT_NOT_ACTIVE)
        Lot.objects.filter(pk=lot.pk).update(serials_issued=F("serials_issued") + count)
        locked.refresh_from_db(fields=["serials_issued"])
        run = LabelRun.objects.create(
            lot=locked,
            first_serial=locked.serials_issued - count + 1,
            count=count,
            columns=columns,
            rows=rows,
            created_by=actor,
        )
        transaction.on_commit(functools.partial(_enqueue, run.pk))
    lot.serials_issued = locked.serials_issued
    return run


def _startable(now: dt.datetime) -> Q:
    """Runs a worker may (re)start: queued, failed, or stalled while running."""
    running = Q(status=LabelRunStatus.RUNNING)
    return (
        Q(status__in=[LabelRunStatus.QUEUED, LabelRunStatus.FAILED])
        | running & Q(heartbeat_at__lt=now - STALLED_AFTER)
        | running & Q(heartbeat_at__isnull=True)
    )


def label_run_stalled(run: LabelRun, *, now: dt.datetime | None = None) -> bool:
    """Waiting or drawing with no sign of a worker for STALLED_AFTER."""
    now = now or timezone.now()
    if run.status == LabelRunStatus.QUEUED:
        return run.created_at < now - STALLED_AFTER
    if run.status == LabelRunStatus.RUNNING:
        return run.heartbeat_at is None or run.heartbeat_at < now - STALLED_AFTER
    return False


def label_run_retry(*, run: LabelRun) -> bool:
    """Queue a failed or stalled run again, for the same serials (its
    labels are not printed yet, so no new serials are spent). Returns
    False when the run is still making progress or already done; refuses
    (ValidationError) once the lot is recalled or expired."""
    if run.status != LabelRunStatus.FAILED and not label_run_stalled(run):
        return False
    if run.lot.status != LotStatus.ACTIVE:
        raise ValidationError(LOT_NOT_ACTIVE)
    transaction.on_commit(functools.partial(_enqueue, run.pk))
    return True


def _enqueue(run_id: int) -> None:
    from traceability.tasks import label_run_render_task

    label_run_render_task.enqueue(run_id)


def label_run_serials(run: LabelRun) -> list[str]:
    return [serial_format(run.first_serial + i) for i in range(run.count)]


def _stars(count: int) -> str:
    return "★" * count


def label_content(*, lot: Lot) -> rendering.LabelContent:
    """The text every label of the lot carries."""
    variant, product = lot.variant, lot.variant.product
    lines = []
    for certification in lot_certifications(lot=lot):
        if certification.kind == "ocop" and certification.stars:
            lines.append(f"OCOP {_stars(certification.stars)}")
        elif certification.kind == "vietgap":
            lines.append(f"VietGAP {certification.number}")
    return rendering.LabelContent(
        product=f"{product.title} - {variant.label}",
        lot_line=_("Lô %(code)s") % {"code": lot.code},
        harvest_line=_("Thu hoạch %(day)s")
        % {"day": date_format(lot.harvested_on, "d/m/Y")},
        certifications=tuple(dict.fromkeys(lines))[:2],
        domain=urlsplit(settings.SITE_URL).netloc,
        serial_prefix=_("Số "),
    )


def label_link_maker(*, lot: Lot):
    """A picklable `make_link(serial=…)` for the lot (same as `lot_link`)."""
    if lot.variant.gtin:
        return functools.partial(
            digital_link.build_gs1,
            base_url=settings.SITE_URL,
            key=signing_key(),
            gtin=lot.variant.gtin,
            lot=lot.code,
            lot_id=lot.pk,
            expiry=lot.best_before,
        )
    return functools.partial(
        digital_link.build_short,
        base_url=settings.SITE_URL,
        key=signing_key(),
        lot_id=lot.pk,
    )


def label_job(*, run: LabelRun) -> rendering.LabelJob:
    lot = run.lot
    return rendering.LabelJob(
        layout=rendering.SheetLayout(columns=run.columns, rows=run.rows),
        content=label_content(lot=lot),
        make_link=label_link_maker(lot=lot),
        serials=label_run_serials(run),
    )


def label_run_render(*, run: LabelRun, workers: int | None = None) -> LabelRun:
    """Draw the run's PDF, saving progress after every page.

    Rule kept: a finished run is never drawn again (its labels may already be
    stuck on bottles), and only one worker draws a run: it claims the run by
    moving it from queued, failed or stalled (a retry) to running in one
    UPDATE.
    """
    claimed = (
        LabelRun.objects.filter(pk=run.pk)
        .filter(_startable(timezone.now()))
        .update(
            status=LabelRunStatus.RUNNING,
            progress=0,
            error="",
            heartbeat_at=timezone.now(),
        )
    )
    run = LabelRun.objects.select_related("lot__variant__product", "lot__farm").get(
        pk=run.pk
    )
    if not claimed:
        return run
    if workers is None:
        workers = DEFAULT_WORKERS

    def progress(done: int) -> None:
        LabelRun.objects.filter(pk=run.pk).update(
            progress=done, heartbeat_at=timezone.now()
        )

    try:
        with tempfile.TemporaryFile() as fp:
            rendering.write_pdf(
                label_job(run=run), fp, workers=workers, on_page=progress
            )
            fp.seek(0)
            last = run.first_serial + run.count - 1
            name = f"tem-{run.lot.code}-{run.first_serial}-{last}.pdf"
            run.pdf.save(name, File(fp), save=False)
    except Exception as exc:
        # Recorded on the run (the admin page shows it and offers a new run)
        # rather than raised into the request that queued it.
        logger.exception("label run %s failed", run.pk)
        LabelRun.objects.filter(pk=run.pk).update(
            status=LabelRunStatus.FAILED, error=str(exc)[:500]
        )
        run.refresh_from_db()
        return run
    run.status = LabelRunStatus.DONE
    run.progress = run.count
    run.finished_at = timezone.now()
    run.save(update_fields=["pdf", "status", "progress", "finished_at"])
    return run
