"""Helpers for the scan page tests: signed links for a lot, rich lot data."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from traceability import digital_link


def signed_path(lot, serial: str | None = None) -> str:
    """The path + query a printed label carries for `lot` (and `serial`)."""
    key = settings.QR_SIGNING_KEY.encode()
    if lot.variant.gtin:
        uri = digital_link.build_gs1(
            base_url="",
            key=key,
            gtin=lot.variant.gtin,
            lot=lot.code,
            lot_id=lot.pk,
            serial=serial,
            expiry=lot.best_before,
        )
    else:
        uri = digital_link.build_short(
            base_url="", key=key, lot_id=lot.pk, serial=serial
        )
    return uri


def at(day: dt.date, hour: int = 7) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
