"""What the public scan page tells the shopper about a code: the verdict.

Pure functions over plain values (no database, no settings): the selector
gathers the facts, `scan_verdict` decides. Also the two small pieces of
privacy-minded scan logging: a keyed hash of the client address and a coarse
client class from the user agent.

Order of precedence, most serious first, so a shopper is never told "genuine"
about something they must not eat:

1. ``recalled`` — the code names one of our lots and that lot is recalled.
   This wins over everything else, a bad signature or an unprinted serial
   included: whatever the label, the shopper holds something that claims to
   come from a recalled lot and must not eat it;
2. ``not-genuine`` — the path is not one of ours, no lot has that code, the
   signature is missing or wrong, or the serial was never printed;
3. ``expired`` — the lot is marked expired or its best-before date has passed;
4. ``suspicious`` — this unit's serial has been scanned more than the allowed
   number of times, or from more than the allowed number of distinct clients
   (a copied label): counts include the current scan;
5. ``genuine``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    GENUINE = "genuine"
    NOT_GENUINE = "not-genuine"
    RECALLED = "recalled"
    EXPIRED = "expired"
    SUSPICIOUS = "suspicious"


class Reason(StrEnum):
    """Why the verdict is what it is (chooses the explanation shown)."""

    OK = "ok"
    MALFORMED = "malformed"
    NO_SIGNATURE = "no-signature"
    BAD_SIGNATURE = "bad-signature"
    UNKNOWN_LOT = "unknown-lot"
    UNKNOWN_SERIAL = "unknown-serial"
    RECALLED = "recalled"
    EXPIRED = "expired"
    TOO_MANY_SCANS = "too-many-scans"
    TOO_MANY_CLIENTS = "too-many-clients"


@dataclass(frozen=True)
class LinkCheck:
    """What is known about the scanned link before looking at the lot."""

    parsed: bool
    has_signature: bool = False
    signature_ok: bool = False


@dataclass(frozen=True)
class LotFacts:
    status: str  # LotStatus value
    best_before: dt.date | None
    serials_issued: int


@dataclass(frozen=True)
class ScanHistory:
    """Earlier scans of the same code (lot + serial), before this one."""

    count: int = 0
    distinct_clients: int = 0
    client_seen: bool = False


@dataclass(frozen=True)
class Limits:
    max_scans: int
    max_clients: int


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reason: Reason


def serial_was_issued(serial: str | None, serials_issued: int) -> bool:
    """Serials are the numbers 1 … serials_issued reserved by label runs.

    A lot-level code (no serial) is always "issued". A serial we signed but
    never reserved can only come from a leaked key or a bug: not genuine.
    Serials are printed in decimal without leading zeros, so "007" is not
    the code of unit 7.
    """
    if serial is None:
        return True
    if not serial.isdigit() or serial != str(int(serial)):
        return False
    return 1 <= int(serial) <= serials_issued


def scans_after_this(history: ScanHistory) -> tuple[int, int]:
    """(scans, distinct clients) counting the current scan too."""
    clients = history.distinct_clients + (0 if history.client_seen else 1)
    return history.count + 1, clients


def _signature_outcome(link: LinkCheck) -> Outcome | None:
    if not link.has_signature:
        return Outcome(Verdict.NOT_GENUINE, Reason.NO_SIGNATURE)
    if not link.signature_ok:
        return Outcome(Verdict.NOT_GENUINE, Reason.BAD_SIGNATURE)
    return None


def scan_verdict(
    *,
    link: LinkCheck,
    lot: LotFacts | None,
    serial: str | None,
    history: ScanHistory,
    limits: Limits,
    today: dt.date,
) -> Outcome:
    """The verdict for one scan (see the module docstring for the order)."""
    if not link.parsed:
        return Outcome(Verdict.NOT_GENUINE, Reason.MALFORMED)
    if lot is None:
        # A GTIN code's signature names its lot: with no lot it cannot hold.
        return Outcome(Verdict.NOT_GENUINE, Reason.UNKNOWN_LOT)
    if lot.status == "recalled":
        return Outcome(Verdict.RECALLED, Reason.RECALLED)
    if outcome := _signature_outcome(link):
        return outcome
    if not serial_was_issued(serial, lot.serials_issued):
        return Outcome(Verdict.NOT_GENUINE, Reason.UNKNOWN_SERIAL)
    if lot.status == "expired" or (lot.best_before and lot.best_before < today):
        return Outcome(Verdict.EXPIRED, Reason.EXPIRED)
    if serial is not None:
        scans, clients = scans_after_this(history)
        if scans > limits.max_scans:
            return Outcome(Verdict.SUSPICIOUS, Reason.TOO_MANY_SCANS)
        if clients > limits.max_clients:
            return Outcome(Verdict.SUSPICIOUS, Reason.TOO_MANY_CLIENTS)
    return Outcome(Verdict.GENUINE, Reason.OK)


def client_hash(*, key: bytes, address: str) -> str:
    """16 hex characters of HMAC-SHA256(key, address).

    Keyed so the stored value cannot be reversed by hashing all 2^32 IPv4
    addresses; stable so distinct clients of one serial can be counted.
    """
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:16]


_BOT_RE = re.compile(r"bot|crawl|spider|slurp|curl|wget|python|httpclient|java/", re.I)
_IOS_RE = re.compile(r"iphone|ipad|ipod", re.I)


def client_class(user_agent: str) -> str:
    """'bot', 'android', 'ios', 'desktop' or 'other' — nothing finer is kept."""
    if not user_agent:
        return "other"
    if _BOT_RE.search(user_agent):
        return "bot"
    if "Android" in user_agent:
        return "android"
    if _IOS_RE.search(user_agent):
        return "ios"
    if re.search(r"Windows NT|Macintosh|X11|CrOS", user_agent):
        return "desktop"
    return "other"
