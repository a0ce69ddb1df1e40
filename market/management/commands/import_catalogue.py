"""`manage.py import_catalogue FILE.csv [--dry-run]`: the operator's import.

Certificates in an operator's file are recorded as approved (the operator is
the reviewer); see docs/catalogue.md.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from market.services.imports import ImportFileError, catalogue_import
from market.services.sellers import MarketNotSetUp

# Below this many rows a progress bar is noise.
PROGRESS_FROM_ROWS = 2000


class Command(BaseCommand):
    help = "Import sellers, products, variants and stock from a catalogue CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Never show a progress bar."
        )

    def handle(self, *args, file: Path, dry_run: bool, no_progress: bool, **options):
        if not file.is_file():
            raise CommandError(_("Không thấy tệp %(path)s.") % {"path": file})
        with file.open("rb") as raw:
            total = max(sum(1 for _line in raw) - 1, 0)
        show = not no_progress and total >= PROGRESS_FROM_ROWS

        def progress(records):
            return tqdm(
                records,
                total=total,
                unit=" dòng",
                disable=not show,
                file=self.stderr._out,
            )

        started = time.perf_counter()
        try:
            with file.open(encoding="utf-8-sig", newline="") as stream:
                plan = catalogue_import(
                    stream=stream,
                    dry_run=dry_run,
                    approve_certifications=True,
                    progress=progress,
                )
        except (ImportFileError, MarketNotSetUp) as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        for warning in plan.warnings:
            self.stderr.write(_("Lưu ý: %(warning)s") % {"warning": warning})
        for error in plan.errors:
            self.stderr.write(str(error))
        counts = plan.counts
        summary = ", ".join(f"{name}={value}" for name, value in counts.items())
        if plan.errors:
            raise CommandError(
                _("%(count)s lỗi; không ghi gì. (%(summary)s)")
                % {"count": len(plan.errors), "summary": summary}
            )
        verb = _("Sẽ thay đổi") if dry_run else _("Đã thay đổi")
        self.stdout.write(f"{verb}: {plan.change_count} ({summary}); {elapsed:.1f} s")
