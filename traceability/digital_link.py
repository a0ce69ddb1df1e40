"""GS1 Digital Link URIs with a short signature, and the short `/q/` form.

Pure format code: no Django imports. The signing key is passed in by the
caller (`traceability.services.links` reads it from settings).

Printed forms:

- with a GTIN: ``https://HOST/01/{GTIN-14}/10/{lot}[/21/{serial}]?17={YYMMDD}&s={sig}``
  (GS1 Digital Link 1.x: primary key 01, qualifiers in path order 10 then 21,
  expiry AI 17 as a query attribute, `s` a non-GS1 query parameter);
- without a GTIN: ``https://HOST/q/{lot_id}[/{serial}]?s={sig}``.

`s` is a truncated HMAC-SHA256 of what the path identifies, so changing one
character of the GTIN, lot, serial or signature makes the code fail to verify.
The GS1 form also signs the lot's own database id, which the path does not
carry: a code printed for one lot can never verify for another lot, even one
with the same GTIN and lot code (say, a GTIN taken over by another seller).
Codes printed before that binding ("unbound") verify only when the caller
says the lot predates it. The expiry date is not signed: the scan page shows
the date from the database.

Keys rotate: `verify` takes every key still accepted (the current one first,
then the old ones), `build_*` sign with the one they are given.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

# 9 bytes of HMAC = 72 bits, 12 base64url characters: forging one code by
# guessing takes ~2^71 tries, while the QR stays at version 4 (33 x 33).
SIGNATURE_BYTES = 9
SIGNATURE_LENGTH = 12

# GS1 AI 10 and 21 are "X..20" (GS1 character set 82). We print only the
# URI-safe part of it so a code never needs percent-escapes.
ATTRIBUTE_RE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
GTIN14_RE = re.compile(r"^\d{14}$")

GS1_PATH_RE = re.compile(
    r"^/01/(?P<gtin>\d{8,14})/10/(?P<lot>[^/]+)(?:/21/(?P<serial>[^/]+))?/?$"
)
SHORT_PATH_RE = re.compile(r"^/q/(?P<lot_id>\d{1,19})(?:/(?P<serial>[^/]+))?/?$")
# Database ids are signed 64-bit integers: a longer number names no lot and
# must not reach the database (SQLite and PostgreSQL refuse it with an error).
MAX_LOT_ID = 2**63 - 1


class DigitalLinkError(ValueError):
    """A URI that is not one of ours (wrong shape, bad GTIN, bad attribute)."""


@dataclass(frozen=True)
class ParsedLink:
    """What a scanned URI names. Exactly one of `gtin` / `lot_id` is set."""

    gtin: str | None
    lot: str | None
    lot_id: int | None
    serial: str | None
    expiry: dt.date | None
    signature: str


def gtin_check_digit(body: str) -> str:
    """GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin_pad(gtin: str) -> str:
    """GTIN-8/12/13/14 → GTIN-14, refusing a wrong check digit."""
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        raise DigitalLinkError(f"GTIN must have 8, 12, 13 or 14 digits: {gtin!r}")
    if gtin_check_digit(gtin[:-1]) != gtin[-1]:
        raise DigitalLinkError(f"GTIN check digit is wrong: {gtin!r}")
    return gtin.zfill(14)


def check_attribute(value: str, *, name: str) -> str:
    if not ATTRIBUTE_RE.match(value):
        raise DigitalLinkError(
            f"{name} must be 1 to 20 characters of A-Z, a-z, 0-9, '.', '_' or '-': "
            f"{value!r}"
        )
    return value


def _message(*parts: str) -> bytes:
    # A separator that cannot occur in any part keeps ("1","23") != ("12","3").
    return "\x1f".join(parts).encode()


def sign(
    *,
    key: bytes,
    gtin: str | None,
    lot: str,
    serial: str | None,
    lot_id: int | None = None,
) -> str:
    """Signature for a GTIN form (`gtin` set) or a short form (`lot` = lot id).

    For the GTIN form `lot_id` is the lot's database id; None gives the
    unbound signature of codes printed before ids were signed.
    """
    kind = "01" if gtin else "q"
    parts = [kind, gtin or "", lot, serial or ""]
    if gtin and lot_id is not None:
        parts.append(f"id={int(lot_id)}")
    mac = hmac.new(key, _message(*parts), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:SIGNATURE_BYTES]).decode()


def _expected(
    link: ParsedLink, *, key: bytes, lot_id: int | None, unbound_ok: bool
) -> list[str]:
    if not link.gtin:
        return [sign(key=key, gtin=None, lot=str(link.lot_id), serial=link.serial)]
    lot = link.lot or ""
    found = []
    if lot_id is not None:
        found.append(
            sign(key=key, gtin=link.gtin, lot=lot, serial=link.serial, lot_id=lot_id)
        )
    if unbound_ok:
        found.append(sign(key=key, gtin=link.gtin, lot=lot, serial=link.serial))
    return found


def verify(
    *,
    keys: Sequence[bytes],
    link: ParsedLink,
    lot_id: int | None = None,
    unbound_ok: bool = False,
) -> bool:
    """True when the link's signature matches what its path names.

    `keys`: every key still accepted. For the GTIN form, `lot_id` is the id
    of the lot the path names (None: no such lot, so nothing verifies unless
    `unbound_ok`); `unbound_ok` also accepts the unbound signature.
    """
    if len(link.signature) != SIGNATURE_LENGTH:
        return False
    return any(
        hmac.compare_digest(expected, link.signature)
        for key in keys
        for expected in _expected(link, key=key, lot_id=lot_id, unbound_ok=unbound_ok)
    )


def build_gs1(
    *,
    base_url: str,
    key: bytes,
    gtin: str,
    lot: str,
    lot_id: int,
    serial: str | None = None,
    expiry: dt.date | None = None,
) -> str:
    """`{base_url}/01/{GTIN-14}/10/{lot}[/21/{serial}]?17=YYMMDD&s=…`, the
    signature bound to the lot's database id `lot_id`."""
    gtin14 = gtin_pad(gtin)
    check_attribute(lot, name="lot")
    path = f"/01/{gtin14}/10/{lot}"
    if serial is not None:
        check_attribute(serial, name="serial")
        path += f"/21/{serial}"
    query = []
    if expiry is not None:
        query.append(f"17={expiry:%y%m%d}")
    signature = sign(key=key, gtin=gtin14, lot=lot, serial=serial, lot_id=lot_id)
    query.append(f"s={signature}")
    return f"{base_url.rstrip('/')}{path}?{'&'.join(query)}"


def build_short(
    *, base_url: str, key: bytes, lot_id: int, serial: str | None = None
) -> str:
    """`{base_url}/q/{lot_id}[/{serial}]?s=…` for variants without a GTIN."""
    path = f"/q/{int(lot_id)}"
    if serial is not None:
        check_attribute(serial, name="serial")
        path += f"/{serial}"
    sig = sign(key=key, gtin=None, lot=str(int(lot_id)), serial=serial)
    return f"{base_url.rstrip('/')}{path}?s={sig}"


def _parse_expiry(value: str | None) -> dt.date | None:
    if not value:
        return None
    if not re.fullmatch(r"\d{6}", value):
        raise DigitalLinkError(f"AI 17 must be YYMMDD: {value!r}")
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    try:
        # GS1: day 00 means the last day of the month.
        if day == 0:
            next_month = dt.date(year + month // 12, month % 12 + 1, 1)
            return next_month - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DigitalLinkError(f"AI 17 is not a date: {value!r}") from exc


def parse(uri: str) -> ParsedLink:
    """Read a full URI or a path with its query string. Raises DigitalLinkError.

    Parsing does not verify the signature (see `verify`); a missing signature
    parses as "" so the page can say the code is not genuine.
    """
    parts = urlsplit(uri)
    path = unquote(parts.path)
    query = parse_qs(parts.query)
    signature = (query.get("s") or [""])[0]
    if match := GS1_PATH_RE.match(path):
        lot = check_attribute(match["lot"], name="lot")
        serial = match["serial"]
        if serial is not None:
            check_attribute(serial, name="serial")
        return ParsedLink(
            gtin=gtin_pad(match["gtin"]),
            lot=lot,
            lot_id=None,
            serial=serial,
            expiry=_parse_expiry((query.get("17") or [""])[0]),
            signature=signature,
        )
    if match := SHORT_PATH_RE.match(path):
        lot_id = int(match["lot_id"])
        if not 1 <= lot_id <= MAX_LOT_ID:
            raise DigitalLinkError(f"no lot can have the id {lot_id}")
        serial = match["serial"]
        if serial is not None:
            check_attribute(serial, name="serial")
        return ParsedLink(
            gtin=None,
            lot=None,
            lot_id=lot_id,
            serial=serial,
            expiry=None,
            signature=signature,
        )
    raise DigitalLinkError(f"not a Digital Link or /q/ path: {path!r}")
