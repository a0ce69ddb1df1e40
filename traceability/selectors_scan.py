"""Read side of the public scan page: everything one scan shows, in at most
four queries (the fifth is the scan log insert, `services.scans.scan_record`).

1. the lot with its variant, product, seller and farm, the product photo's
   small WebP rendition, the site root (for the product link) and this
   code's scan history, as subqueries;
2. the seller's certifications (approved; valid or expired);
3. the farm's last diary entries up to the harvest (an entry that was
   corrected is replaced by its correction), with their photos' renditions;
4. the lot's shipment and recall events.

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
from traceability import digital_link
from traceability.models import (
    DiaryEntry,
    DiaryKind,
    Farm,
    Lot,
    LotEvent,
    LotEventKind,
    Scan,
)
from traceability.services.links import signing_key
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
EVENTS_SHOWN = 6
SHOWN_EVENT_KINDS = (LotEventKind.SHIPPING, LotEventKind.RECEIVING, LotEventKind.RECALL)
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
    # (image id, rendition spec) the page would show but that is not made yet.
    missing_renditions: list[tuple[int, str]] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict

    @property
    def shows_details(self) -> bool:
        return self.lot is not None and self.verdict != Verdict.NOT_GENUINE


def gtin_candidates(gtin14: str) -> list[str]:
    """The forms a GTIN-14 may be stored in (GTIN-8/12/13 are zero-padded)."""
    forms = [gtin14]
    for length in (13, 12, 8):
        if set(gtin14[: 14 - length]) == {"0"}:
            forms.append(gtin14[14 - length :])
    return forms


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@cache
def _lot_sql_head() -> str:
    rendition = get_image_model().get_rendition_model()
    # Scans by crawlers and link previews are logged but never make a genuine
    # label look copied.
    scans = (
        f"FROM {_table(Scan)} sc WHERE sc.lot_id = l.id AND sc.serial = %s "
        "AND sc.client_class <> 'bot'"
    )
    # Only quoted table names from the models' _meta are formatted in; every
    # value is a query parameter.
    return f"""
SELECT l.id, l.code, l.status, l.recall_reason, l.harvested_on, l.packed_on,
  l.best_before, l.serials_issued, f.id, f.name, f.province_code, f.ward_code,
  v.label, p.id, p.title, p.url_path, p.live, s.id, s.legal_name,
  (SELECT r.file || '|' || r.width || '|' || r.height || '|' || pi.alt_text
     FROM {_table(ProductImage)} pi
     JOIN {_table(rendition)} r ON r.image_id = pi.image_id AND r.filter_spec = %s
     WHERE pi.product_id = p.id ORDER BY pi.sort_order, pi.id LIMIT 1),
  (SELECT rp.url_path FROM {_table(Site)} st
     JOIN {_table(Page)} rp ON rp.id = st.root_page_id
     WHERE st.is_default_site ORDER BY st.id LIMIT 1),
  (SELECT COUNT(*) {scans}),
  (SELECT COUNT(DISTINCT sc.client_hash) {scans}),
  (SELECT COUNT(*) {scans} AND sc.client_hash = %s),
  (SELECT MIN(sc.scanned_at) {scans} AND sc.verdict = 'genuine'),
  (SELECT pi.image_id FROM {_table(ProductImage)} pi
     WHERE pi.product_id = p.id ORDER BY pi.sort_order, pi.id LIMIT 1)
FROM {_table(Lot)} l
JOIN {_table(Variant)} v ON v.id = l.variant_id
JOIN {_table(ProductPage)} pp ON pp.page_ptr_id = v.product_id
JOIN {_table(Page)} p ON p.id = pp.page_ptr_id
JOIN {_table(Seller)} s ON s.id = pp.seller_id
JOIN {_table(Farm)} f ON f.id = l.farm_id
"""  # noqa: S608


def _as_date(value) -> dt.date | None:
    return parse_date(value) if isinstance(value, str) else value


def _as_datetime(value) -> dt.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _photo(packed: str | None, *, alt: str) -> Photo | None:
    """A rendition packed by SQL as "file|width|height|alt"."""
    if not packed:
        return None
    name, width, height, stored_alt = packed.split("|", 3)
    return Photo(
        url=get_rendition_storage().url(name),
        width=int(width),
        height=int(height),
        alt=stored_alt or alt,
    )


@dataclass(frozen=True)
class _LotRow:
    lot: LotView
    photo: str | None
    site_root: str | None
    history: ScanHistory
    first_verified_at: dt.datetime | None
    first_image_id: int | None


def _find_lot(link: digital_link.ParsedLink, *, client: str) -> _LotRow | None:
    serial_key = link.serial or ""
    params: list = [PRODUCT_PHOTO_SPEC, serial_key, serial_key, serial_key, client]
    params.append(serial_key)
    if link.gtin:
        gtins = gtin_candidates(link.gtin)
        where = f"WHERE l.code = %s AND v.gtin IN ({', '.join(['%s'] * len(gtins))})"
        params += [link.lot, *gtins]
    else:
        where = "WHERE l.id = %s"
        params.append(link.lot_id)
    rows = _fetch(f"{_lot_sql_head()}{where} LIMIT 1", params)
    if not rows:
        return None
    row = rows[0]
    lot = LotView(
        pk=row[0],
        code=row[1],
        status=row[2],
        recall_reason=row[3],
        harvested_on=_as_date(row[4]),
        packed_on=_as_date(row[5]),
        best_before=_as_date(row[6]),
        serials_issued=row[7],
        farm_id=row[8],
        farm_name=row[9],
        province_code=row[10],
        ward_code=row[11],
        variant_label=row[12],
        product_id=row[13],
        product_title=row[14],
        product_url_path=row[15],
        product_live=bool(row[16]),
        seller_id=row[17],
        seller_name=row[18],
    )
    return _LotRow(
        lot=lot,
        photo=row[19],
        site_root=row[20],
        history=ScanHistory(
            count=row[21], distinct_clients=row[22], client_seen=row[23] > 0
        ),
        first_verified_at=_as_datetime(row[24]),
        first_image_id=row[25],
    )


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
    rendition = get_image_model().get_rendition_model()
    return f"""
SELECT d.occurred_at, d.kind, d.note, d.input_product, d.pre_harvest_days,
  (SELECT r.file || '|' || r.width || '|' || r.height || '|'
     FROM {_table(rendition)} r
     WHERE r.image_id = d.photo_id AND r.filter_spec = %s LIMIT 1),
  d.photo_id
FROM {_table(DiaryEntry)} d
WHERE d.farm_id = %s AND d.occurred_at < %s
  AND NOT EXISTS (SELECT 1 FROM {_table(DiaryEntry)} c WHERE c.corrects_id = d.id)
ORDER BY d.occurred_at DESC, d.id DESC
LIMIT {DIARY_ENTRIES_SHOWN}
"""  # noqa: S608


def _diary(lot: LotView) -> tuple[list[DiaryLine], list[int]]:
    """The farm's last entries up to the end of the harvest day, oldest first,
    and the ids of their photos that have no thumbnail yet."""
    tz = timezone.get_current_timezone()
    until = dt.datetime.combine(
        lot.harvested_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz
    )
    until_db = connection.ops.adapt_datetimefield_value(until)
    rows = _fetch(_diary_sql(), [DIARY_PHOTO_SPEC, lot.farm_id, until_db])
    lines = []
    missing = []
    for occurred_at, kind, note, product, days, thumb, photo_id in reversed(rows):
        label = str(_KIND_LABELS.get(kind, kind))
        if photo_id and not thumb:
            missing.append(photo_id)
        lines.append(
            DiaryLine(
                occurred_at=_as_datetime(occurred_at),
                kind=kind,
                label=label,
                note=note,
                input_product=product,
                pre_harvest_days=days,
                thumb=_photo(thumb, alt=label),
            )
        )
    return lines, missing


@cache
def _events_sql() -> str:
    kinds = ", ".join(["%s"] * len(SHOWN_EVENT_KINDS))
    return f"""
SELECT e.occurred_at, e.kind, e.read_point
FROM {_table(LotEvent)} e
WHERE e.lot_id = %s AND e.kind IN ({kinds})
ORDER BY e.seq DESC
LIMIT {EVENTS_SHOWN}
"""  # noqa: S608


def _events(lot: LotView) -> list[EventLine]:
    kinds = [kind.value for kind in SHOWN_EVENT_KINDS]
    rows = _fetch(_events_sql(), [lot.pk, *kinds])
    return [
        EventLine(
            occurred_at=_as_datetime(occurred_at),
            kind=kind,
            label=str(_EVENT_LABELS.get(kind, kind)),
            read_point=read_point,
        )
        for occurred_at, kind, read_point in reversed(rows)
    ]


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
    path_and_query: str,
) -> tuple[digital_link.ParsedLink | None, LinkCheck]:
    try:
        link = digital_link.parse(path_and_query)
    except digital_link.DigitalLinkError:
        return None, LinkCheck(parsed=False)
    return link, LinkCheck(
        parsed=True,
        has_signature=bool(link.signature),
        signature_ok=digital_link.verify(key=signing_key(), link=link),
    )


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
    link, check = _link_check(path_and_query)
    serial = link.serial if link else None
    found = _find_lot(link, client=client) if link else None
    lot = found.lot if found else None
    outcome = scan_verdict(
        link=check,
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
    page.photo = _photo(found.photo, alt=lot.product_title)
    page.first_verified_at = found.first_verified_at
    page.certifications = _certifications(lot, today=today)
    page.diary, missing_thumbs = _diary(lot)
    page.events = _events(lot)
    if found.first_image_id and page.photo is None:
        page.missing_renditions.append((found.first_image_id, PRODUCT_PHOTO_SPEC))
    page.missing_renditions += [(pk, DIARY_PHOTO_SPEC) for pk in missing_thumbs]
    return page


__all__ = ["Photo", "Reason", "ScanPage", "scan_page_data"]
