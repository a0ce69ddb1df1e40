"""The links we print in QR codes, and reading them back.

Serials: a unit serial is the decimal number of the unit within its lot,
1, 2, 3 … with no leading zeros (so "7" and "007" are not the same code and
only "7" is ever printed). A serial is issued when a label run reserves it
(`Lot.serials_issued` counts them), so serial n of a lot is genuine only when
1 ≤ n ≤ serials_issued.
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings

from traceability import digital_link
from traceability.models import Lot


class ResolvedLink(NamedTuple):
    lot: Lot | None
    serial: str | None
    signature_ok: bool


def signing_key() -> bytes:
    return settings.QR_SIGNING_KEY.encode()


def serial_format(number: int) -> str:
    """Unit number → printed serial (decimal, no leading zeros)."""
    if number < 1:
        raise ValueError("serials start at 1")
    return str(number)


def serial_number(serial: str) -> int | None:
    """Printed serial → unit number, or None when it is not one we print."""
    if not serial.isdigit() or serial != str(int(serial)) or int(serial) < 1:
        return None
    return int(serial)


def lot_link(*, lot: Lot, serial: str | None = None) -> str:
    """The Digital Link printed for a lot (or one unit of it).

    With a GTIN: `SITE_URL/01/{GTIN-14}/10/{lot}[/21/{serial}]?17={best
    before}&s=…`; without: `SITE_URL/q/{lot id}[/{serial}]?s=…`.
    """
    gtin = lot.variant.gtin
    if gtin:
        return digital_link.build_gs1(
            base_url=settings.SITE_URL,
            key=signing_key(),
            gtin=gtin,
            lot=lot.code,
            serial=serial,
            expiry=lot.best_before,
        )
    return digital_link.build_short(
        base_url=settings.SITE_URL, key=signing_key(), lot_id=lot.pk, serial=serial
    )


def _gtin_forms(gtin14: str) -> list[str]:
    # A variant stores its GTIN as printed (8, 12, 13 or 14 digits); the link
    # carries it padded to 14.
    return [gtin14[14 - n :] for n in (8, 12, 13, 14) if set(gtin14[: 14 - n]) <= {"0"}]


def _lots():
    return Lot.objects.select_related("variant__product__seller", "farm")


def link_resolve(*, path_and_query: str) -> ResolvedLink:
    """Which lot and serial a scanned link names, and whether it is genuine.

    `signature_ok` is True only when the `s=` signature matches the path
    exactly and, for a unit link, the serial has been issued for that lot.
    A link of the wrong shape, or naming no lot we know, gives lot None.
    One query.
    """
    try:
        parsed = digital_link.parse(path_and_query)
    except digital_link.DigitalLinkError:
        return ResolvedLink(None, None, False)
    if parsed.gtin:
        lot = (
            _lots()
            .filter(variant__gtin__in=_gtin_forms(parsed.gtin), code=parsed.lot)
            .first()
        )
    else:
        lot = _lots().filter(pk=parsed.lot_id).first()
    if lot is None:
        return ResolvedLink(None, parsed.serial, False)
    ok = digital_link.verify(key=signing_key(), link=parsed)
    if ok and parsed.serial is not None:
        number = serial_number(parsed.serial)
        ok = number is not None and number <= lot.serials_issued
    return ResolvedLink(lot, parsed.serial, ok)
