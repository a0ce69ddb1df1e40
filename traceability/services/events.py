"""Lot events: the append-only, hash-chained history of a lot.

`lot_event_append` is the only writer of `LotEvent`. Every event stores the
hash of the event before it, so altering, removing or reordering an old event
breaks the chain from that event on, and `lot_chain_check` reports the first
broken link.

Canonical form hashed for each event (version 1): the UTF-8 bytes of the JSON
object

    {"v": 1, "lot": <lot id>, "seq": <seq>, "event_id": "<uuid>",
     "kind": "...", "occurred_at": "<UTC, ISO 8601, microseconds, Z>",
     "biz_step": "...", "disposition": "...", "read_point": "...",
     "data": {...}, "prev_hash": "<hex or empty>"}

serialised with sorted keys, no spaces (separators "," and ":") and
non-ASCII characters kept as they are (`ensure_ascii=False`). `hash` is the
lower-case hex SHA-256 of those bytes. `data` is normalised through JSON
before it is stored, so what the database gives back hashes the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from traceability.models import Lot, LotEvent

CANONICAL_VERSION = 1


@dataclass(frozen=True)
class ChainBreak:
    """The first event whose link in the chain does not hold."""

    seq: int
    reason: str


def _utc_iso(moment: dt.datetime) -> str:
    if timezone.is_naive(moment):
        raise ValueError("occurred_at must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lot_event_canonical(
    *,
    lot_id: int,
    seq: int,
    event_id: uuid.UUID | str,
    kind: str,
    occurred_at: dt.datetime,
    biz_step: str,
    disposition: str,
    read_point: str,
    data: dict,
    prev_hash: str,
) -> bytes:
    """The canonical bytes of an event (see the module docstring)."""
    content = {
        "v": CANONICAL_VERSION,
        "lot": lot_id,
        "seq": seq,
        "event_id": str(event_id),
        "kind": kind,
        "occurred_at": _utc_iso(occurred_at),
        "biz_step": biz_step,
        "disposition": disposition,
        "read_point": read_point,
        "data": data,
        "prev_hash": prev_hash,
    }
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def lot_event_hash(event: LotEvent) -> str:
    """SHA-256 (hex) of a stored event's canonical form."""
    canonical = lot_event_canonical(
        lot_id=event.lot_id,
        seq=event.seq,
        event_id=event.event_id,
        kind=event.kind,
        occurred_at=event.occurred_at,
        biz_step=event.biz_step,
        disposition=event.disposition,
        read_point=event.read_point,
        data=event.data,
        prev_hash=event.prev_hash,
    )
    return hashlib.sha256(canonical).hexdigest()


def _normalised(data: dict | None) -> dict:
    # Dates, decimals and UUIDs become strings now, not on the way back out.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def lot_event_append(
    *,
    lot: Lot,
    kind: str,
    occurred_at: dt.datetime,
    biz_step: str,
    disposition: str = "",
    read_point: str = "",
    data: dict | None = None,
) -> LotEvent:
    """Add an event at the end of the lot's chain.

    Rule kept: a lot's events are numbered 1, 2, 3 … without gaps, each
    event's `prev_hash` is the `hash` of the one before ("" for the first) and
    its `hash` covers its content and `prev_hash`. The lot row is locked so two
    concurrent writers cannot both take the same `seq`. Events are never
    updated or deleted.
    """
    with transaction.atomic():
        Lot.objects.select_for_update().only("pk").get(pk=lot.pk)
        last = (
            LotEvent.objects.filter(lot_id=lot.pk)
            .order_by("-seq")
            .only("seq", "hash")
            .first()
        )
        event = LotEvent(
            lot_id=lot.pk,
            seq=(last.seq + 1) if last else 1,
            kind=kind,
            occurred_at=occurred_at,
            biz_step=biz_step,
            disposition=disposition,
            read_point=read_point,
            data=_normalised(data),
            prev_hash=last.hash if last else "",
        )
        event.hash = lot_event_hash(event)
        event.save(force_insert=True)
    return event


def lot_chain_check(*, lot: Lot) -> ChainBreak | None:
    """None when the lot's whole history is intact, else the first broken link.

    Checks, in order of `seq`: numbering without gaps from 1, each
    `prev_hash` equal to the previous event's `hash`, and each `hash` equal to
    the hash recomputed from the stored content.
    """
    prev_hash = ""
    expected_seq = 1
    for event in LotEvent.objects.filter(lot_id=lot.pk).order_by("seq").iterator():
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, f"event {expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return ChainBreak(event.seq, "prev_hash does not match the event before")
        if lot_event_hash(event) != event.hash:
            return ChainBreak(event.seq, "content changed after it was recorded")
        prev_hash = event.hash
        expected_seq += 1
    return None
