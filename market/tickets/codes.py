"""The signed code on each e-ticket, under the QR key rules of the labels.

A ticket's QR carries the link of its e-ticket page,
``{SITE_URL}/ve/{id}/{signature}/``; staff may also type the short form
``V{id}/{signature}``. The signature is traceability's truncated HMAC
(`traceability.digital_link.sign`, 12 base64url characters) over a message
that names the ticket (``ticket:{id}``, which no lot code can equal), made
with `QR_SIGNING_KEY` and verified against it and `QR_SIGNING_KEY_FALLBACKS`
(`traceability.services.links`), so a key rotation keeps sold tickets good
and a changed character makes the code fail.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from traceability import digital_link
from traceability.services.links import signing_key, verifying_keys

_SHORT = re.compile(r"[Vv]?\s*(\d{1,12})\s*[/.\s]\s*([A-Za-z0-9_-]{12})/?")


@dataclass(frozen=True)
class TicketCode:
    ticket_id: int
    signature: str


def _sign(ticket_id: int, key: bytes) -> str:
    return digital_link.sign(key=key, gtin=None, lot=f"ticket:{ticket_id}", serial=None)


def ticket_signature(*, ticket_id: int) -> str:
    """The signature printed for this ticket (with the current key)."""
    return _sign(ticket_id, signing_key())


def ticket_signature_holds(*, code: TicketCode) -> bool:
    """True when one of the accepted keys made this signature for this id."""
    return any(
        hmac.compare_digest(_sign(code.ticket_id, key), code.signature)
        for key in verifying_keys()
    )


def ticket_path(*, ticket_id: int) -> str:
    signature = ticket_signature(ticket_id=ticket_id)
    return reverse("tickets:ticket", args=[ticket_id, signature])


def ticket_url(*, ticket_id: int) -> str:
    """The absolute link the QR carries (the e-ticket page)."""
    return f"{settings.SITE_URL}{ticket_path(ticket_id=ticket_id)}"


def ticket_short_code(*, ticket_id: int) -> str:
    """What staff type when there is no camera: V{id}/{signature}."""
    return f"V{ticket_id}/{ticket_signature(ticket_id=ticket_id)}"


def ticket_code_parse(text: str) -> TicketCode | None:
    """Read a scanned link or a typed code; None when it is not one at all."""
    text = (text or "").strip()
    if "/ve/" in text:
        text = text.split("/ve/", 1)[1].split("?", 1)[0]
    match = _SHORT.fullmatch(text)
    if match is None:
        return None
    return TicketCode(ticket_id=int(match.group(1)), signature=match.group(2))
