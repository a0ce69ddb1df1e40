"""Where label PDFs are kept: outside MEDIA_ROOT, so the web server never
serves them; only the admin download view (which checks the seller) does.

A label PDF holds genuine unit codes: anyone holding it could print them.
The folder is the `LABELS_ROOT` setting when set, else `<MEDIA_ROOT>-private`
beside MEDIA_ROOT (read when used, so test settings apply).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def labels_root() -> str:
    configured = getattr(settings, "LABELS_ROOT", None)
    if configured:
        return str(configured)
    media = Path(settings.MEDIA_ROOT)
    return str(media.with_name(f"{media.name}-private"))


class LabelStorage(FileSystemStorage):
    """File storage under `labels_root()`, with no public URL."""

    @property
    def base_location(self):
        return labels_root()

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("label PDFs have no public URL; use the admin download")


def label_storage() -> LabelStorage:
    return LabelStorage()
