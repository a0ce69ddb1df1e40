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
    """The key new codes are signed with (`QR_SIGNING_KEY`)."""
    return settings.QR_SIGNING_KEY.encode()


def verifying_keys() -> list[bytes]:
    """Every key a printed code may carry: the current one, then the old ones
    in `QR_SIGNING_KEY_FALLBACKS` (so a key rotation keeps old labels good)."""
    fallbacks = getattr(settings, "QR_SIGNING_KEY_FALLBACKS", [])
    if isinstance(fallbacks, str):
        fallbacks = [key for key in fallbacks.split(",") if key]
    return [signing_key(), *(str(key).encode() for key in fallbacks)]


def signature_holds(*, link: digital_link.ParsedLink, lot: Lot | None) -> bool:
    """True when the link's `s=` was made by one of our keys for this very lot.

    A GTIN-form code verifies only against the lot the lookup found (its id
    is signed); the older unbound signature only for lots that predate it.
    """
    return digital_link.verify(
        keys=verifying_keys(),
        link=link,
        lot_id=lot.pk if lot else None,
        unbound_ok=bool(lot and lot.accepts_unbound_codes),
    )


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
            lot_id=lot.pk,
            serial=serial,
            expiry=lot.best_before,
        )
    return digital_link.build_short(
        base_url=settings.SITE_URL, key=signing_key(), lot_id=lot.pk, serial=serial
    )


def lot_for_parsed(link: digital_link.ParsedLink, *, lots=None) -> Lot | None:
    """The one lot a parsed link names, or None.

    Exact: the GTIN is stored in its 14-digit form and unique across
    sellers, and a lot code is unique per variant, so a GTIN + lot code can
    name one lot only; should two rows ever match, none is returned.
    """
    lots = Lot.objects.all() if lots is None else lots
    if link.gtin:
        lots = lots.filter(variant__gtin=link.gtin, code=link.lot)
    else:
        lots = lots.filter(pk=link.lot_id)
    found = list(lots[:2])
    return found[0] if len(found) == 1 else None


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
    lot = lot_for_parsed(parsed, lots=_lots())
    if lot is None:
        return ResolvedLink(None, parsed.serial, False)
    ok = signature_holds(link=parsed, lot=lot)
    if ok and parsed.serial is not None:
        number = serial_number(parsed.serial)
        ok = number is not None and number <= lot.serials_issued
    return ResolvedLink(lot, parsed.serial, ok)
