"""EPCIS 2.0 JSON-LD documents for a lot's history.

Pure format code: no Django imports. `traceability.api` turns a lot and its
`LotEvent`s into the plain values below and serves the result.

How our lot events map to EPCIS 2.0 (GS1 EPCIS/CBV 2.0):

- commissioning (harvest, the lot is created): `ObjectEvent`, action ADD,
  bizStep `commissioning`, disposition `active`, lot master data in `ilmd`
  (`cbvmda:lotNumber`, `cbvmda:harvestStartDate`, `cbvmda:bestBeforeDate`,
  `cbvmda:itemExpirationDate`, `cbvmda:countryOfOrigin`);
- packing: `ObjectEvent` OBSERVE, bizStep `packing`, disposition
  `in_progress` (the same goods, now in their sales packaging: nothing is
  transformed into a new lot, so no TransformationEvent);
- shipping / receiving (from fulfilment): `ObjectEvent` OBSERVE, bizStep
  `shipping` + disposition `in_transit`, bizStep `receiving` + disposition
  `in_progress`;
- recall: `ObjectEvent` OBSERVE, bizStep `holding` + disposition `recalled`.
  CBV 2.0 has no "recalling" step; `holding` is the step that takes goods
  out of circulation and `recalled` the state they are then in;
- anything else we record: `ObjectEvent` OBSERVE with its own CBV values.

Read points are URIs of registered places only: a farm's `geo:` URI, a
partner post office's site URI (`{SITE_URL}/dia-diem/buu-cuc/{code}`; an
SGLN once partners record a GLN). What a worker typed as the place is free text, which
is no URI: it goes to the extension field `nq:placeText`, never to
`readPoint` (an event stored with text as its read point is exported so too).

Every event has `eventTime` in Vietnam time with `eventTimeZoneOffset`
"+07:00", `recordTime`, `eventID` "urn:uuid:…" and the lot as an EPC class
in `quantityList`. The hash chain is carried in extension fields
(`nq:seq`, `nq:prevHash`, `nq:hash`) so a receiver can check it.

Circular 02/2024/TT-BKHCN additions (the caller, `selectors_trace`, fills
them): master data vocabularies in the header (the product as `EPCClass`,
the farm as `Location`, the producer and suppliers as `Party`), an event's
`bizLocation`, `sourceList` / `destinationList`, `certificationInfo` and
extra business transactions, and one `TransformationEvent` from a lot's
declared inputs (`transformation_document`: one step back).

EPC class of a lot: `urn:epc:class:lgtin:{company prefix}.{indicator and
item reference}.{lot}` needs the length of the GS1 company prefix, which a
GTIN does not carry. When the caller knows it (the seller's prefix), we
print the LGTIN URN; otherwise the GS1 Digital Link URI
`https://id.gs1.org/01/{GTIN-14}/10/{lot}`, which EPCIS 2.0 accepts as an
identifier for a class of objects; without a GTIN, our own lot URL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

SCHEMA_VERSION = "2.0"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
VIETNAM = dt.timezone(dt.timedelta(hours=7))
VIETNAM_OFFSET = "+07:00"

# The CBV 2.0 values we use (bare words, as EPCIS 2.0 JSON allows).
CBV_BIZ_STEPS = frozenset(
    {
        "commissioning",
        "packing",
        "shipping",
        "receiving",
        "holding",
        "destroying",
        "inspecting",
        "storing",
        "other",
    }
)
CBV_DISPOSITIONS = frozenset(
    {
        "active",
        "in_progress",
        "in_transit",
        "recalled",
        "destroyed",
        "expired",
        "sellable_accessible",
        "sellable_not_accessible",
        "non_sellable_other",
        "returned",
        "unknown",
    }
)

# Our event kinds → (action, bizStep, disposition) used when an event was
# stored without valid CBV values.
KIND_DEFAULTS = {
    "commissioning": ("ADD", "commissioning", "active"),
    "packing": ("OBSERVE", "packing", "in_progress"),
    "shipping": ("OBSERVE", "shipping", "in_transit"),
    "receiving": ("OBSERVE", "receiving", "in_progress"),
    "recall": ("OBSERVE", "holding", "recalled"),
    "observation": ("OBSERVE", "inspecting", ""),
}


# An absolute URI in plain ASCII with no spaces: what JSON Schema's "uri"
# format accepts for the values we write (no percent-escapes in ours).
_URI_RE = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.-]*:" r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$"
)


def looks_like_uri(value: str) -> bool:
    """True for an absolute URI (`geo:…`, `https://…`, `urn:…`), False for
    typed text such as "Bưu cục Hội An"."""
    return bool(value) and bool(_URI_RE.match(value))


class EpcisError(ValueError):
    """A value that would make the document invalid."""


@dataclass(frozen=True)
class LotInfo:
    code: str
    gtin14: str | None
    company_prefix_length: int | None
    fallback_uri: str  # our own URL of the lot, when there is no GTIN
    harvested_on: dt.date
    best_before: dt.date | None
    country: str = "VN"


@dataclass(frozen=True)
class EventInfo:
    kind: str
    event_id: str
    seq: int
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    biz_step: str
    disposition: str
    read_point: str
    prev_hash: str
    hash: str
    quantity: int | None = None
    data: dict = field(default_factory=dict)
    # Circular 02 additions, filled by the caller when it knows them: the
    # location (GLN Digital Link or our site URI) where the goods are after
    # the event, the parties / places the goods go to or come from
    # (`(type, uri)`, CBV source/destination types), the certificates that
    # apply (URIs), and more business transactions (`(type, uri)`).
    biz_location: str = ""
    sources: tuple[tuple[str, str], ...] = ()
    destinations: tuple[tuple[str, str], ...] = ()
    certification_info: tuple[str, ...] = ()
    transactions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class InputInfo:
    """One input of a lot (one step back): its EPC class and who sold it."""

    epc_class: str
    quantity_text: str = ""
    supplier_uri: str = ""  # owning party, as a URI
    supplier_name: str = ""
    supplier_lot_code: str = ""


def epc_class(lot: LotInfo) -> str:
    """The lot as an EPC class URI (see the module docstring)."""
    if lot.gtin14 and lot.company_prefix_length:
        n = lot.company_prefix_length
        if not 6 <= n <= 12:
            raise EpcisError(f"GS1 company prefix length must be 6-12: {n}")
        # LGTIN: company prefix, then indicator digit + item reference, no
        # check digit; the lot is escaped as the EPC Tag Data Standard asks.
        prefix = lot.gtin14[1 : 1 + n]
        item = lot.gtin14[0] + lot.gtin14[1 + n : 13]
        return f"urn:epc:class:lgtin:{prefix}.{item}.{quote(lot.code, safe='')}"
    if lot.gtin14:
        return f"https://id.gs1.org/01/{lot.gtin14}/10/{quote(lot.code, safe='')}"
    return lot.fallback_uri


def _time(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise EpcisError("event times must carry a time zone")
    return moment.astimezone(VIETNAM).isoformat(timespec="milliseconds")


def _cbv(event: EventInfo) -> tuple[str, str, str]:
    action, biz_step, disposition = KIND_DEFAULTS.get(
        event.kind, ("OBSERVE", "other", "")
    )
    if event.biz_step in CBV_BIZ_STEPS:
        biz_step = event.biz_step
    if event.disposition in CBV_DISPOSITIONS:
        disposition = event.disposition
    return action, biz_step, disposition


def _ilmd(lot: LotInfo) -> dict:
    ilmd = {
        "cbvmda:lotNumber": lot.code,
        "cbvmda:harvestStartDate": lot.harvested_on.isoformat(),
        "cbvmda:countryOfOrigin": lot.country,
    }
    if lot.best_before:
        ilmd["cbvmda:bestBeforeDate"] = lot.best_before.isoformat()
        # The date we print as AI 17 (expiry) in the Digital Link.
        ilmd["cbvmda:itemExpirationDate"] = lot.best_before.isoformat()
    return ilmd


def _transactions(data: dict) -> list[dict]:
    # Fulfilment may name the order / delivery as URIs (see lot_event_append
    # callers); only absolute URIs are valid here.
    found = []
    for key, kind in (("order_uri", "po"), ("shipment_uri", "desadv")):
        value = data.get(key)
        if isinstance(value, str) and ":" in value:
            found.append({"type": kind, "bizTransaction": value})
    return found


def _add_parties(document: dict, event: EventInfo) -> None:
    """Business location, transactions, sources, destinations and
    certificates of one event (Circular 02: where, from whom, to whom)."""
    if event.biz_location:
        document["bizLocation"] = {"id": event.biz_location}
    transactions = _transactions(event.data)
    known = {t["bizTransaction"] for t in transactions}
    transactions += [
        {"type": kind, "bizTransaction": uri}
        for kind, uri in event.transactions
        if uri not in known
    ]
    if transactions:
        document["bizTransactionList"] = transactions
    if event.sources:
        document["sourceList"] = [
            {"type": kind, "source": uri} for kind, uri in event.sources
        ]
    if event.destinations:
        document["destinationList"] = [
            {"type": kind, "destination": uri} for kind, uri in event.destinations
        ]
    if event.certification_info:
        document["certificationInfo"] = list(event.certification_info)


def event_document(lot: LotInfo, event: EventInfo) -> dict:
    """One EPCIS 2.0 ObjectEvent (see the mapping in the module docstring)."""
    action, biz_step, disposition = _cbv(event)
    quantity = {"epcClass": epc_class(lot)}
    if event.quantity:
        quantity["quantity"] = event.quantity
    document = {
        "type": "ObjectEvent",
        "eventTime": _time(event.occurred_at),
        "eventTimeZoneOffset": VIETNAM_OFFSET,
        "recordTime": _time(event.recorded_at),
        "eventID": f"urn:uuid:{event.event_id}",
        "quantityList": [quantity],
        "action": action,
        "bizStep": biz_step,
    }
    if disposition:
        document["disposition"] = disposition
    place_text = event.data.get("place_text") if event.data else None
    if looks_like_uri(event.read_point):
        document["readPoint"] = {"id": event.read_point}
    elif event.read_point:
        place_text = place_text or event.read_point
    if isinstance(place_text, str) and place_text.strip():
        document["nq:placeText"] = place_text.strip()
    _add_parties(document, event)
    if action == "ADD":
        document["ilmd"] = _ilmd(lot)
    document["nq:seq"] = event.seq
    document["nq:prevHash"] = event.prev_hash
    document["nq:hash"] = event.hash
    return document


def transformation_document(
    lot: LotInfo,
    *,
    inputs: Sequence[InputInfo],
    event_id: str,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    read_point: str = "",
    quantity: int | None = None,
) -> dict:
    """One step back as a `TransformationEvent`: the inputs (other lots, or
    purchased inputs by their supplier's GTIN and lot) went into this lot.

    It is derived from the declared inputs, not one of the hash-chained lot
    events, so it carries no `nq:seq`/`nq:hash`.
    """
    output = {"epcClass": epc_class(lot)}
    if quantity:
        output["quantity"] = quantity
    document = {
        "type": "TransformationEvent",
        "eventTime": _time(occurred_at),
        "eventTimeZoneOffset": VIETNAM_OFFSET,
        "recordTime": _time(recorded_at),
        "eventID": f"urn:uuid:{event_id}",
        "inputQuantityList": [{"epcClass": i.epc_class} for i in inputs],
        "outputQuantityList": [output],
        "bizStep": "commissioning",
        "disposition": "active",
    }
    if looks_like_uri(read_point):
        document["readPoint"] = {"id": read_point}
    sources = []
    for item in inputs:
        if item.supplier_uri and item.supplier_uri not in sources:
            sources.append(item.supplier_uri)
    if sources:
        document["sourceList"] = [
            {"type": "owning_party", "source": s} for s in sources
        ]
    document["nq:inputs"] = [
        {
            "epcClass": item.epc_class,
            "supplier": item.supplier_name,
            "supplierLot": item.supplier_lot_code,
            "quantity": item.quantity_text,
        }
        for item in inputs
    ]
    return document


def vocabulary(kind: str, elements: Sequence[tuple[str, dict]]) -> dict:
    """One EPCIS master data vocabulary: `kind` is the vocabulary type URI,
    each element an (id URI, {attribute URI: value}) pair; empty values are
    left out."""
    return {
        "type": kind,
        "vocabularyElementList": [
            {
                "id": element_id,
                "attributes": [
                    {"id": key, "attribute": value}
                    for key, value in attributes.items()
                    if value not in ("", None)
                ],
            }
            for element_id, attributes in elements
        ],
    }


EPC_CLASS_VOCABULARY = "urn:epcglobal:epcis:vtype:EPCClass"
LOCATION_VOCABULARY = "urn:epcglobal:epcis:vtype:Location"
PARTY_VOCABULARY = "urn:epcglobal:epcis:vtype:Party"


def lot_document(
    *,
    lot: LotInfo,
    events: Sequence[EventInfo],
    created: dt.datetime,
    extension_namespace: str,
    extra_events: Sequence[dict] = (),
    master_data: Sequence[dict] = (),
) -> dict:
    """An `EPCISDocument` holding the lot's events in order.

    `extension_namespace` is the URI our `nq:` extension fields expand to;
    `extra_events` (already EPCIS dictionaries, such as the inputs'
    TransformationEvent) come first; `master_data` vocabularies go to the
    header.
    """
    document = {
        "@context": [EPCIS_CONTEXT, {"nq": extension_namespace}],
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _time(created),
    }
    if master_data:
        document["epcisHeader"] = {
            "epcisMasterData": {"vocabularyList": list(master_data)}
        }
    document["epcisBody"] = {
        "eventList": [*extra_events, *(event_document(lot, e) for e in events)]
    }
    return document
