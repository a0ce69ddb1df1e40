"""Read side of the public scan page: everything one scan shows, in at most
four queries (the fifth is the scan log insert, `services.scans.scan_record`).

1. the lot with its variant, product, seller and farm, the product photo's
   small WebP rendition, the site root (for the product link) and this
   code's scan history, as subqueries;
2. the seller's certifications (approved; valid or expired);
3. the farm's last diary entries up to the harvest (an entry that was
   corrected is replaced by its correction), with their photos' renditions;
4. the lot's harvest, packing, shipment and recall events, and (in the same
   query, `UNION ALL`) its inputs from suppliers and the lots of other
   businesses made from it: one step back and one step forward
   (Circular 02/2024/TT-BKHCN).

This page has a p95 budget of 20 ms on two cores, and building querysets
with a dozen nested subqueries cost more CPU than running them, so queries
all four are plain SQL (standard SQL that SQLite and PostgreSQL both run,
table names from the models' `_meta`, every value a parameter); the results
are small frozen dataclasses, not model instances.

A code that fails its signature check still runs query 1, so the scan log
and a problem report can name the lot it claims to be, but nothing about the
lot is shown to the shopper.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from wagtail.images import get_image_model
from wagtail.images.models import get_rendition_storage
from wagtail.models import Page, Site

from market.models import (
    Certification,
    CertificationKind,
    ProductImage,
    ProductPage,
    ReviewStatus,
    Seller,
    Variant,
)
from market.places import province_name, ward_name
from traceability import digital_link, epcis
from traceability.models import (
    DiaryEntry,
    DiaryKind,
    Farm,
    Lot,
    LotAllocation,
    LotEvent,
    LotEventKind,
    LotInput,
    Scan,
)
from traceability.services.links import verifying_keys
from traceability.verdicts import (
    Limits,
    LinkCheck,
    LotFacts,
    Outcome,
    Reason,
    ScanHistory,
    Verdict,
    scan_verdict,
)

# Small WebP renditions: a product photo and diary thumbnails (3 to 6 KB each).
PRODUCT_PHOTO_SPEC = "fill-160x120|format-webp|webpquality-60"
DIARY_PHOTO_SPEC = "fill-96x72|format-webp|webpquality-55"
DIARY_ENTRIES_SHOWN = 5
EVENTS_SHOWN = 8
LINKS_SHOWN = 6  # inputs and business uses of the lot
SHOWN_EVENT_KINDS = (
    LotEventKind.COMMISSIONING,
    LotEventKind.PACKING,
    LotEventKind.SHIPPING,
    LotEventKind.RECEIVING,
    LotEventKind.RECALL,
)
_KIND_LABELS = dict(DiaryKind.choices)
_EVENT_LABELS = dict(LotEventKind.choices)
_CERT_LABELS = dict(CertificationKind.choices)


@dataclass(frozen=True)
class Photo:
    url: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class LotView:
    """The lot as the page shows it (and the facts the verdict needs)."""

    pk: int
    code: str
    status: str
    recall_reason: str
    harvested_on: dt.date
    packed_on: dt.date | None
    best_before: dt.date | None
    serials_issued: int
    # Harvest day of the same variant's lot before this one from this farm.
    previous_harvested_on: dt.date | None
    farm_id: int
    farm_name: str
    province_code: int | None
    ward_code: int | None
    variant_label: str
    product_id: int
    product_title: str
    product_url_path: str
    product_live: bool
    seller_id: int
    seller_name: str
    # Circular 02/2024/TT-BKHCN elements.
    gtin: str = ""
    seller_tax_code: str = ""
    seller_address: str = ""
    farm_address: str = ""
    farm_gln: str = ""
    standards_applied: str = ""
    orders_filled: int = 0

    @property
    def farm_location_code(self) -> str:
        """GLN when the farm has one, else our site URI of the farm."""
        if self.farm_gln:
            return f"GLN {self.farm_gln}"
        return f"{settings.SITE_URL.rstrip('/')}/dia-diem/vuon/{self.farm_id}"


@dataclass(frozen=True)
class LinkLine:
    """An input of the lot (`kind="input"`: what, from whom, their lot) or a
    lot another business made from it (`kind="output"`)."""

    kind: str
    product: str
    party: str
    party_tax_code: str
    lot_code: str


@dataclass(frozen=True)
class CertificationLine:
    kind: str
    label: str
    number: str
    stars: int | None
    valid_until: dt.date | None
    is_valid: bool


@dataclass(frozen=True)
class DiaryLine:
    occurred_at: dt.datetime
    kind: str
    label: str
    note: str
    input_product: str
    pre_harvest_days: int | None
    thumb: Photo | None


@dataclass(frozen=True)
class EventLine:
    occurred_at: dt.datetime
    kind: str
    label: str
    read_point: str
    location_code: str = ""


@dataclass
class ScanPage:
    """What the scan page shows; `lot` is None unless the code is ours."""

    outcome: Outcome
    serial: str | None
    lot: LotView | None = None
    claimed_lot_id: int | None = None
    province: str = ""
    ward: str = ""
    product_url: str = ""
    photo: Photo | None = None
    first_verified_at: dt.datetime | None = None
    certifications: list[CertificationLine] = field(default_factory=list)
    diary: list[DiaryLine] = field(default_factory=list)
    events: list[EventLine] = field(default_factory=list)
    inputs: list[LinkLine] = field(default_factory=list)
    outputs: list[LinkLine] = field(default_factory=list)
    # The code as GS1 element strings, "(01)…(10)…(21)…", or our short form.
    trace_code: str = ""
    # (image id, rendition spec) the page would show but that is not made yet.
    missing_renditions: list[tuple[int, str]] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict

    @property
    def shows_details(self) -> bool:
        return self.lot is not None and self.verdict != Verdict.NOT_GENUINE


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch_named(sql: str, params: list) -> list[dict]:
    """Rows as {column alias: value}: columns are read by name, never by
    position, so adding one cannot shift the others."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _first_rendition(image_column: str, rendition_table: str) -> str:
    """A join condition picking one rendition (the oldest) of the image in
    `image_column` with the spec given as a parameter: an image may have
    several (one per focal point), and a join must not multiply the row."""
    # Only quoted table names and our own column names are formatted in.
    return (
        f"r.id = (SELECT r2.id FROM {rendition_table} r2 "  # noqa: S608
        f"WHERE r2.image_id = {image_column} AND r2.filter_spec = %s "
        "ORDER BY r2.id LIMIT 1)"
    )


@cache
def _lot_sql_head() -> str:
    rendition = _table(get_image_model().get_rendition_model())
    lots, images = _table(Lot), _table(ProductImage)
    # Scans by crawlers and link previews are logged but never make a genuine
    # label look copied.
    scans = (
        f"FROM {_table(Scan)} sc WHERE sc.lot_id = l.id AND sc.serial = %s "
        "AND sc.client_class <> 'bot'"
    )
    # Only quoted table names from the models' _meta are formatted in; every
    # value is a query parameter. Column aliases are `_LotRow` field names.
    return f"""
SELECT l.id AS pk, l.code AS code, l.status AS status,
  l.recall_reason AS recall_reason, l.harvested_on AS harvested_on,
  l.packed_on AS packed_on, l.best_before AS best_before,
  l.serials_issued AS serials_issued,
  l.accepts_unbound_codes AS accepts_unbound_codes,
  (SELECT MAX(pl.harvested_on) FROM {lots} pl
     WHERE pl.variant_id = l.variant_id AND pl.farm_id = l.farm_id
       AND pl.harvested_on < l.harvested_on) AS previous_harvested_on,
  f.id AS farm_id, f.name AS farm_name, f.province_code AS province_code,
  f.ward_code AS ward_code, v.label AS variant_label, p.id AS product_id,
  p.title AS product_title, p.url_path AS product_url_path,
  p.live AS product_live, s.id AS seller_id, s.legal_name AS seller_name,
  v.gtin AS gtin, s.tax_code AS seller_tax_code,
  s.address_line AS seller_address_line, s.province_code AS seller_province,
  s.ward_code AS seller_ward, f.address_line AS farm_address_line,
  f.gln AS farm_gln, l.standards_applied AS standards_applied,
  (SELECT COUNT(*) FROM {_table(LotAllocation)} al WHERE al.lot_id = l.id)
    AS orders_filled,
  pi.image_id AS photo_image_id, pi.alt_text AS photo_alt,
  r.file AS photo_file, r.width AS photo_width, r.height AS photo_height,
  (SELECT rp.url_path FROM {_table(Site)} st
     JOIN {_table(Page)} rp ON rp.id = st.root_page_id
     WHERE st.is_default_site ORDER BY st.id LIMIT 1) AS site_root,
  (SELECT COUNT(*) {scans}) AS scan_count,
  (SELECT COUNT(DISTINCT sc.client_hash) {scans}) AS scan_clients,
  (SELECT COUNT(*) {scans} AND sc.client_hash = %s) AS scans_by_client,
  (SELECT MIN(sc.scanned_at) {scans} AND sc.verdict = 'genuine')
    AS first_verified_at
FROM {lots} l
JOIN {_table(Variant)} v ON v.id = l.variant_id
JOIN {_table(ProductPage)} pp ON pp.page_ptr_id = v.product_id
JOIN {_table(Page)} p ON p.id = pp.page_ptr_id
JOIN {_table(Seller)} s ON s.id = pp.seller_id
JOIN {_table(Farm)} f ON f.id = l.farm_id
LEFT JOIN {images} pi ON pi.id = (SELECT pi2.id FROM {images} pi2
  WHERE pi2.product_id = p.id ORDER BY pi2.sort_order, pi2.id LIMIT 1)
LEFT JOIN {rendition} r ON {_first_rendition("pi.image_id", rendition)}
"""  # noqa: S608


def _address(line: str, ward: int | None, province: int | None) -> str:
    parts = (line, ward_name(ward), province_name(province))
    return ", ".join(p for p in parts if p)


def _as_date(value) -> dt.date | None:
    return parse_date(value) if isinstance(value, str) else value


def _as_datetime(value) -> dt.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _photo(
    file: str | None, width: int | None, height: int | None, *, alt: str
) -> Photo | None:
    """A rendition read from its own columns, or None when there is none."""
    if not file:
        return None
    return Photo(
        url=get_rendition_storage().url(file),
        width=int(width),
        height=int(height),
        alt=alt,
    )


@dataclass(frozen=True)
class _LotRow:
    """One row of the lot query, field for field (see `_lot_sql_head`)."""

    pk: int
    code: str
    status: str
    recall_reason: str
    harvested_on: dt.date | str
    packed_on: dt.date | str | None
    best_before: dt.date | str | None
    serials_issued: int
    accepts_unbound_codes: bool
    previous_harvested_on: dt.date | str | None
    farm_id: int
    farm_name: str
    province_code: int | None
    ward_code: int | None
    variant_label: str
    product_id: int
    product_title: str
    product_url_path: str
    product_live: bool
    seller_id: int
    seller_name: str
    gtin: str | None
    seller_tax_code: str
    seller_address_line: str
    seller_province: int | None
    seller_ward: int | None
    farm_address_line: str
    farm_gln: str
    standards_applied: str
    orders_filled: int
    photo_image_id: int | None
    photo_alt: str | None
    photo_file: str | None
    photo_width: int | None
    photo_height: int | None
    site_root: str | None
    scan_count: int
    scan_clients: int
    scans_by_client: int
    first_verified_at: dt.datetime | str | None

    def lot_view(self) -> LotView:
        return LotView(
            pk=self.pk,
            code=self.code,
            status=self.status,
            recall_reason=self.recall_reason,
            harvested_on=_as_date(self.harvested_on),
            packed_on=_as_date(self.packed_on),
            best_before=_as_date(self.best_before),
            serials_issued=self.serials_issued,
            previous_harvested_on=_as_date(self.previous_harvested_on),
            farm_id=self.farm_id,
            farm_name=self.farm_name,
            province_code=self.province_code,
            ward_code=self.ward_code,
            variant_label=self.variant_label,
            product_id=self.product_id,
            product_title=self.product_title,
            product_url_path=self.product_url_path,
            product_live=bool(self.product_live),
            seller_id=self.seller_id,
            seller_name=self.seller_name,
            gtin=self.gtin or "",
            seller_tax_code=self.seller_tax_code,
            seller_address=_address(
                self.seller_address_line, self.seller_ward, self.seller_province
            ),
            farm_address=_address(
                self.farm_address_line, self.ward_code, self.province_code
            ),
            farm_gln=self.farm_gln,
            standards_applied=self.standards_applied,
            orders_filled=self.orders_filled,
        )

    @property
    def history(self) -> ScanHistory:
        return ScanHistory(
            count=self.scan_count,
            distinct_clients=self.scan_clients,
            client_seen=self.scans_by_client > 0,
        )

    def photo(self, *, alt: str) -> Photo | None:
        return _photo(
            self.photo_file,
            self.photo_width,
            self.photo_height,
            alt=self.photo_alt or alt,
        )


def _find_lot(link: digital_link.ParsedLink, *, client: str) -> _LotRow | None:
    """The one lot the link names, or None.

    Exact: GTINs are stored as 14 digits and unique across sellers, lot codes
    unique per variant, so a GTIN + lot code names one lot; if two rows ever
    matched, the code names none.
    """
    serial_key = link.serial or ""
    # In the order the placeholders appear: the four scan-history subqueries
    # (one with the client), then the photo's rendition join.
    params: list = [serial_key, serial_key, serial_key, client, serial_key]
    params.append(PRODUCT_PHOTO_SPEC)
    if link.gtin:
        where = "WHERE v.gtin = %s AND l.code = %s"
        params += [link.gtin, link.lot]
    else:
        where = "WHERE l.id = %s"
        params.append(link.lot_id)
    rows = _fetch_named(f"{_lot_sql_head()}{where} LIMIT 2", params)
    if len(rows) != 1:
        return None
    return _LotRow(**rows[0])


@cache
def _certifications_sql() -> str:
    return f"""
SELECT c.kind, c.number, c.stars, c.valid_until
FROM {_table(Certification)} c
WHERE c.seller_id = %s AND (c.product_id = %s OR c.product_id IS NULL)
  AND c.status = %s AND c.kind <> %s
ORDER BY c.kind, c.valid_until DESC
LIMIT 6
"""  # noqa: S608


def _certifications(lot: LotView, *, today: dt.date) -> list[CertificationLine]:
    params = [
        lot.seller_id,
        lot.product_id,
        ReviewStatus.APPROVED.value,
        CertificationKind.OTHER.value,
    ]
    lines = []
    for kind, number, stars, valid_until in _fetch(_certifications_sql(), params):
        valid_until = _as_date(valid_until)
        lines.append(
            CertificationLine(
                kind=kind,
                label=str(_CERT_LABELS.get(kind, kind)),
                number=number,
                stars=stars,
                valid_until=valid_until,
                is_valid=valid_until is None or valid_until >= today,
            )
        )
    return lines


@cache
def _diary_sql() -> str:
    rendition = _table(get_image_model().get_rendition_model())
    diary = _table(DiaryEntry)
    return f"""
SELECT d.occurred_at AS occurred_at, d.kind AS kind, d.note AS note,
  d.input_product AS input_product, d.pre_harvest_days AS pre_harvest_days,
  d.photo_id AS photo_id, r.file AS thumb_file, r.width AS thumb_width,
  r.height AS thumb_height
FROM {diary} d
LEFT JOIN {rendition} r ON {_first_rendition("d.photo_id", rendition)}
WHERE d.farm_id = %s
  AND ((d.kind NOT IN (%s, %s) AND d.occurred_at >= %s AND d.occurred_at < %s)
    OR (d.kind = %s AND d.occurred_at >= %s AND d.occurred_at < %s)
    OR (d.kind = %s AND d.occurred_at >= %s AND d.occurred_at < %s))
  AND NOT EXISTS (SELECT 1 FROM {diary} c WHERE c.corrects_id = d.id)
ORDER BY d.occurred_at DESC, d.id DESC
LIMIT {DIARY_ENTRIES_SHOWN}
"""  # noqa: S608


# Before any lot: the window of a farm's first lot starts here.
_DIARY_START = dt.date(2000, 1, 1)


def _day_bounds(first: dt.date, last: dt.date) -> list:
    """[local midnight of `first`, local midnight after `last`) as DB values."""
    tz = timezone.get_current_timezone()
    return [
        connection.ops.adapt_datetimefield_value(
            dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        )
        for day in (first, last + dt.timedelta(days=1))
    ]


def diary_window(lot: LotView) -> list:
    """The diary that belongs to this lot, as query parameters.

    - Work on the farm (sowing, inputs, watering, observations) from the day
      after the same variant's previous lot from this farm was harvested,
      up to the end of this lot's harvest day;
    - harvest entries of this lot's harvest day and packing entries of its
      packing day only: another lot's harvest or packing never shows.
    """
    start = lot.previous_harvested_on
    start = start + dt.timedelta(days=1) if start else _DIARY_START
    work = _day_bounds(min(start, lot.harvested_on), lot.harvested_on)
    harvest = _day_bounds(lot.harvested_on, lot.harvested_on)
    if lot.packed_on:
        packing = _day_bounds(lot.packed_on, lot.packed_on)
    else:
        packing = [harvest[0], harvest[0]]  # an empty range
    return [
        DiaryKind.HARVEST.value,
        DiaryKind.PACKING.value,
        *work,
        DiaryKind.HARVEST.value,
        *harvest,
        DiaryKind.PACKING.value,
        *packing,
    ]


def _diary(lot: LotView) -> tuple[list[DiaryLine], list[int]]:
    """The lot's own diary (see `diary_window`), oldest first, and the ids of
    its photos that have no thumbnail yet."""
    params = [DIARY_PHOTO_SPEC, lot.farm_id, *diary_window(lot)]
    lines = []
    missing = []
    for row in reversed(_fetch_named(_diary_sql(), params)):
        kind = row["kind"]
        label = str(_KIND_LABELS.get(kind, kind))
        if row["photo_id"] and not row["thumb_file"]:
            missing.append(row["photo_id"])
        lines.append(
            DiaryLine(
                occurred_at=_as_datetime(row["occurred_at"]),
                kind=kind,
                label=label,
                note=row["note"],
                input_product=row["input_product"],
                pre_harvest_days=row["pre_harvest_days"],
                thumb=_photo(
                    row["thumb_file"],
                    row["thumb_width"],
                    row["thumb_height"],
                    alt=label,
                ),
            )
        )
    return lines, missing


@cache
def _events_sql() -> str:
    """The lot's events, then its inputs and business uses in the same query.

    The two halves share columns; a column only one half has is a typed NULL
    in the other (PostgreSQL will not match an untyped NULL with a number).
    """
    kinds = ", ".join(["%s"] * len(SHOWN_EVENT_KINDS))
    types = connection.data_types
    null_int = f"CAST(NULL AS {types['IntegerField']})"
    null_time = f"CAST(NULL AS {types['DateTimeField']})"
    null_json = f"CAST(NULL AS {types['JSONField']})"
    null_text = "CAST(NULL AS VARCHAR(200))"
    lots, inputs = _table(Lot), _table(LotInput)
    mine = "i.lot_id = %s"
    # Harvest and packing always show; then the newest journey events.
    on_farm = f"{LotEventKind.COMMISSIONING.value}', '{LotEventKind.PACKING.value}"
    return f"""
SELECT * FROM (
  SELECT e.seq AS seq, e.occurred_at AS occurred_at, e.kind AS kind,
    e.read_point AS read_point, e.data AS data, {null_text} AS product,
    {null_text} AS party, {null_text} AS party_tax_code, {null_text} AS lot_code
  FROM {_table(LotEvent)} e
  WHERE e.lot_id = %s AND e.kind IN ({kinds})
  ORDER BY CASE WHEN e.kind IN ('{on_farm}') THEN 0 ELSE 1 END, e.seq DESC
  LIMIT {EVENTS_SHOWN}
) ev
UNION ALL
SELECT * FROM (
  SELECT {null_int} AS seq, {null_time} AS occurred_at,
    CASE WHEN {mine} THEN 'input' ELSE 'output' END AS kind,
    {null_text} AS read_point, {null_json} AS data,
    CASE WHEN {mine} THEN i.product_name ELSE op.title END AS product,
    CASE WHEN {mine} THEN i.supplier_name ELSE os.legal_name END AS party,
    CASE WHEN {mine} THEN i.supplier_tax_code ELSE os.tax_code END
      AS party_tax_code,
    CASE WHEN {mine} THEN i.supplier_lot_code ELSE ol.code END AS lot_code
  FROM {inputs} i
  JOIN {lots} ol ON ol.id = i.lot_id
  JOIN {_table(Variant)} ov ON ov.id = ol.variant_id
  JOIN {_table(Page)} op ON op.id = ov.product_id
  JOIN {_table(Farm)} ofm ON ofm.id = ol.farm_id
  JOIN {_table(Seller)} os ON os.id = ofm.seller_id
  WHERE i.lot_id = %s OR i.source_lot_id = %s
  ORDER BY i.id
  LIMIT {LINKS_SHOWN}
) io
"""  # noqa: S608


def event_place(read_point: str, data) -> str:
    """Where an event happened, in words: what the worker typed, else the
    registered place's name (a post office); a bare URI is not shown."""
    if isinstance(data, str):
        data = json.loads(data or "{}")
    data = data if isinstance(data, dict) else {}
    for key in ("place_text", "place_name"):
        if isinstance(data.get(key), str) and data[key].strip():
            return data[key].strip()
    # Events stored before places were registered kept the typed text here.
    return "" if epcis.looks_like_uri(read_point) else read_point


def _events(lot: LotView) -> tuple[list[EventLine], list[LinkLine], list[LinkLine]]:
    """The lot's journey (oldest first), its inputs and its business uses."""
    kinds = [kind.value for kind in SHOWN_EVENT_KINDS]
    params = [lot.pk, *kinds, *([lot.pk] * 5), lot.pk, lot.pk]
    rows = _fetch_named(_events_sql(), params)
    events, inputs, outputs = [], [], []
    for row in rows:
        kind = row["kind"]
        if kind in ("input", "output"):
            line = LinkLine(
                kind=kind,
                product=row["product"] or "",
                party=row["party"] or "",
                party_tax_code=row["party_tax_code"] or "",
                lot_code=row["lot_code"] or "",
            )
            (inputs if kind == "input" else outputs).append(line)
            continue
        on_farm = kind in (LotEventKind.COMMISSIONING, LotEventKind.PACKING)
        read_point = row["read_point"] or ""
        events.append(
            EventLine(
                occurred_at=_as_datetime(row["occurred_at"]),
                kind=kind,
                label=str(_EVENT_LABELS.get(kind, kind)),
                read_point=lot.farm_name
                if on_farm
                else event_place(read_point, row["data"]),
                location_code=lot.farm_location_code
                if on_farm
                else (read_point if epcis.looks_like_uri(read_point) else ""),
            )
        )
    events.sort(key=lambda e: e.occurred_at)
    return events, inputs, outputs


def trace_code(link: digital_link.ParsedLink) -> str:
    """The scanned code in words: GS1 element strings as printed under a GS1
    code ("(01)…(10)…(21)…"), or the short form for lots without a GTIN."""
    if link.gtin:
        text = f"(01){link.gtin}(10){link.lot}"
        return text + (f"(21){link.serial}" if link.serial else "")
    return f"q/{link.lot_id}" + (f"/{link.serial}" if link.serial else "")


def _product_url(lot: LotView, site_root: str | None) -> str:
    """The product page's path on the default site, without another query.

    The market runs on one site; a product outside its tree (or no default
    site) gets no link rather than a wrong one.
    """
    path = lot.product_url_path
    if not (site_root and lot.product_live and path.startswith(site_root)):
        return ""
    return "/" + path[len(site_root) :]


def _link_check(
    link: digital_link.ParsedLink | None, found: _LotRow | None
) -> LinkCheck:
    """The signature is checked against the lot the lookup found: a GTIN code
    is bound to that lot's id, so it verifies for no other lot."""
    if link is None:
        return LinkCheck(parsed=False)
    return LinkCheck(
        parsed=True,
        has_signature=bool(link.signature),
        signature_ok=digital_link.verify(
            keys=verifying_keys(),
            link=link,
            lot_id=found.pk if found else None,
            unbound_ok=bool(found and found.accepts_unbound_codes),
        ),
    )


def _parse(path_and_query: str) -> digital_link.ParsedLink | None:
    try:
        return digital_link.parse(path_and_query)
    except digital_link.DigitalLinkError:
        return None


def scan_limits() -> Limits:
    return Limits(
        max_scans=settings.SCAN_SUSPICIOUS_COUNT,
        max_clients=settings.SCAN_SUSPICIOUS_CLIENTS,
    )


def scan_page_data(
    *, path_and_query: str, client: str, today: dt.date | None = None
) -> ScanPage:
    """Everything the scan page shows for one scanned code, and its verdict.

    Rules kept: no lot detail is returned unless the signature verifies and
    the lot (and serial) exist; at most four queries; nothing is written (the
    caller logs the scan with `scan_record`).
    """
    today = today or timezone.localdate()
    link = _parse(path_and_query)
    serial = link.serial if link else None
    found = _find_lot(link, client=client) if link else None
    lot = found.lot_view() if found else None
    outcome = scan_verdict(
        link=_link_check(link, found),
        lot=LotFacts(lot.status, lot.best_before, lot.serials_issued) if lot else None,
        serial=serial,
        history=found.history if found else ScanHistory(),
        limits=scan_limits(),
        today=today,
    )
    page = ScanPage(
        outcome=outcome, serial=serial, claimed_lot_id=lot.pk if lot else None
    )
    if found is None or outcome.verdict == Verdict.NOT_GENUINE:
        return page
    page.lot = lot
    page.province = province_name(lot.province_code)
    page.ward = ward_name(lot.ward_code)
    page.product_url = _product_url(lot, found.site_root)
    page.photo = found.photo(alt=lot.product_title)
    page.first_verified_at = _as_datetime(found.first_verified_at)
    page.certifications = _certifications(lot, today=today)
    page.diary, missing_thumbs = _diary(lot)
    page.events, page.inputs, page.outputs = _events(lot)
    page.trace_code = trace_code(link)
    if found.photo_image_id and page.photo is None:
        page.missing_renditions.append((found.photo_image_id, PRODUCT_PHOTO_SPEC))
    page.missing_renditions += [(pk, DIARY_PHOTO_SPEC) for pk in missing_thumbs]
    return page


__all__ = ["Photo", "Reason", "ScanPage", "scan_page_data"]
