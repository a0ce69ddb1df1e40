"""Reads for place pages: what a page shows, the operator's scan counts and
the open-data list."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from cms.places.models import PlacePage


def place_detail(*, place: PlacePage) -> dict:
    """Photos and the live products made at the place (two queries)."""
    photos = list(place.photos.select_related("image").order_by("sort_order"))
    products = list(place.products.live().public().order_by("title")[:12])
    return {"photos": photos, "products": products}


def places_open_data() -> QuerySet[PlacePage]:
    return PlacePage.objects.live().public().order_by("title")


def place_scan_counts(*, days: int = 30, today: dt.date | None = None) -> list:
    """Every place with its plaque scans in the last `days` days and in all."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days - 1)
    return list(
        PlacePage.objects.order_by("title").annotate(
            recent=Sum(
                "scan_days__count",
                filter=Q(scan_days__day__gte=since),
                default=0,
            ),
            total=Sum("scan_days__count", default=0),
        )
    )
