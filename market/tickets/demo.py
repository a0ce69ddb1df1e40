"""Demo slots for the basket-boat tour of the sample catalogue (seed_demo)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from market.models import OcopCategory, Variant
from market.services.catalogue import product_refresh_summaries

from .models import TimeSlot

TOUR_TITLE = "Đi thuyền thúng rừng dừa Bảy Mẫu"
DAYS = 7
STARTS = ((8, 0), (14, 30))  # two boats a day
MINUTES = 90
CAPACITY = 20


@transaction.atomic
def seed_tickets() -> int:
    """Two slots a day for the next week for each variant of the tour; safe
    to run again (a slot already there is kept). Returns slots added."""
    variants = Variant.objects.filter(
        product__title=TOUR_TITLE, product__category=OcopCategory.TOURISM
    )
    today = timezone.localdate()
    added = 0
    for variant in variants:
        for day in range(1, DAYS + 1):
            for hour, minute in STARTS:
                starts = timezone.make_aware(
                    dt.datetime.combine(
                        today + dt.timedelta(days=day), dt.time(hour, minute)
                    )
                )
                _slot, created = TimeSlot.objects.get_or_create(
                    variant=variant,
                    starts_at=starts,
                    defaults={
                        "ends_at": starts + dt.timedelta(minutes=MINUTES),
                        "capacity": CAPACITY,
                    },
                )
                added += created
    product_refresh_summaries(product_ids={v.product_id for v in variants})
    return added
