"""Writes for place pages."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cms.places.models import PlacePage, PlaceScanDay


def place_scan_record(*, place: PlacePage) -> None:
    """Count one scan of the place's plaque today (local day). Concurrent
    scans each count: the day's row is created once and incremented in SQL."""
    day = timezone.localdate()
    updated = PlaceScanDay.objects.filter(place=place, day=day).update(
        count=F("count") + 1
    )
    if updated:
        return
    try:
        with transaction.atomic():
            PlaceScanDay.objects.create(place=place, day=day, count=1)
    except IntegrityError:  # another scan made the row first
        PlaceScanDay.objects.filter(place=place, day=day).update(count=F("count") + 1)
