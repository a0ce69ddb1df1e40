"""Read side of the public scan page: everything one scan shows, in at most
four queries (the fifth is the scan log insert, `services.scans.scan_record`).

1. the lot with its variant, product, seller and farm, the product photo's
   small WebP rendition and this code's scan history, as annotations;
2. the seller's certifications (approved; valid or expired);
3. the farm's last diary entries up to the harvest (an entry that was
   corrected is replaced by its correction), with their photos' renditions;
4. the lot's shipment and recall events.

A code that fails its signature check still runs query 1, so the scan log
and a problem report can name the lot it claims to be, but nothing about the
lot is shown to the shopper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.images.models import get_rendition_storage
from wagtail.models import Site

from market.models import Certification, CertificationKind, ProductImage, ReviewStatus
from market.places import province_name, ward_name
from traceability import digital_link
from traceability.models import DiaryEntry, Lot, LotEvent, LotEventKind, Scan
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


@dataclass(frozen=True)
class Photo:
    url: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class CertificationLine:
    kind: str
    label: str
    number: str
    stars: int | None
    valid_until: dt.date | None
    is_valid: bool


@dataclass
class ScanPage:
    """What the scan page shows; `lot` is None unless the code is ours."""

    outcome: Outcome
    serial: str | None
    lot: Lot | None = None
    claimed_lot_id: int | None = None
    province: str = ""
    ward: str = ""
    product_url: str = ""
    photo: Photo | None = None
    first_verified_at: dt.datetime | None = None
    certifications: list[CertificationLine] = field(default_factory=list)
    diary: list[DiaryEntry] = field(default_factory=list)
    events: list[LotEvent] = field(default_factory=list)

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


def _rendition_fields(prefix: str, image_ref: OuterRef | str, spec: str) -> dict:
    renditions = (
        get_image_model()
        .get_rendition_model()
        .objects.filter(
            image_id=OuterRef(image_ref) if isinstance(image_ref, str) else image_ref,
            filter_spec=spec,
        )
    )
    return {
        f"{prefix}_file": Subquery(renditions.values("file")[:1]),
        f"{prefix}_width": Subquery(renditions.values("width")[:1]),
        f"{prefix}_height": Subquery(renditions.values("height")[:1]),
    }


def _scan_history_fields(*, serial_key: str, client: str) -> dict:
    # Link previews and crawlers fetch shared links too: they are logged but
    # must not make a genuine label look copied.
    scans = (
        Scan.objects.filter(lot_id=OuterRef("pk"), serial=serial_key)
        .exclude(client_class="bot")
        .order_by()
    )
    count = scans.values("lot_id").annotate(n=Count("pk")).values("n")[:1]
    clients = (
        scans.values("lot_id")
        .annotate(n=Count("client_hash", distinct=True))
        .values("n")[:1]
    )
    first = (
        scans.filter(verdict=Verdict.GENUINE)
        .values("lot_id")
        .annotate(first=Min("scanned_at"))
        .values("first")[:1]
    )
    return {
        "scan_count": Coalesce(Subquery(count, output_field=IntegerField()), 0),
        "scan_clients": Coalesce(Subquery(clients, output_field=IntegerField()), 0),
        "scan_client_seen": Exists(scans.filter(client_hash=client)),
        "first_verified_at": Subquery(first),
    }


def _lot_queryset(*, serial_key: str, client: str) -> QuerySet[Lot]:
    first_image = ProductImage.objects.filter(
        product_id=OuterRef("variant__product_id")
    ).order_by("sort_order", "pk")
    return Lot.objects.select_related("variant__product__seller", "farm").annotate(
        photo_image_id=Subquery(first_image.values("image_id")[:1]),
        photo_alt=Subquery(first_image.values("alt_text")[:1]),
        site_root_path=Subquery(
            Site.objects.filter(is_default_site=True).values("root_page__url_path")[:1]
        ),
        **_rendition_fields("photo", "photo_image_id", PRODUCT_PHOTO_SPEC),
        **_scan_history_fields(serial_key=serial_key, client=client),
    )


def _find_lot(link: digital_link.ParsedLink, *, client: str) -> Lot | None:
    lots = _lot_queryset(serial_key=link.serial or "", client=client)
    if link.gtin:
        lots = lots.filter(code=link.lot, variant__gtin__in=gtin_candidates(link.gtin))
    else:
        lots = lots.filter(pk=link.lot_id)
    return lots.first()


def _photo(url_name: str | None, width, height, alt: str) -> Photo | None:
    if not url_name:
        return None
    return Photo(
        url=get_rendition_storage().url(url_name), width=width, height=height, alt=alt
    )


def _certifications(lot: Lot, *, today: dt.date) -> list[CertificationLine]:
    product = lot.variant.product
    rows = (
        Certification.objects.filter(
            Q(product_id=product.pk) | Q(product__isnull=True),
            seller_id=product.seller_id,
            status=ReviewStatus.APPROVED,
        )
        .exclude(kind=CertificationKind.OTHER)
        .order_by("kind", "-valid_until")
        .only("kind", "number", "stars", "valid_until")[:6]
    )
    return [
        CertificationLine(
            kind=row.kind,
            label=row.get_kind_display(),
            number=row.number,
            stars=row.stars,
            valid_until=row.valid_until,
            is_valid=row.valid_until is None or row.valid_until >= today,
        )
        for row in rows
    ]


def _diary(lot: Lot) -> list[DiaryEntry]:
    """The farm's last entries up to the end of the harvest day, oldest first."""
    tz = timezone.get_current_timezone()
    until = dt.datetime.combine(
        lot.harvested_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz
    )
    corrected = DiaryEntry.objects.filter(corrects_id=OuterRef("pk"))
    entries = (
        DiaryEntry.objects.filter(farm_id=lot.farm_id, occurred_at__lt=until)
        .exclude(Exists(corrected))
        .annotate(**_rendition_fields("thumb", "photo_id", DIARY_PHOTO_SPEC))
        .only("kind", "occurred_at", "note", "input_product", "pre_harvest_days")
        .order_by("-occurred_at", "-pk")[:DIARY_ENTRIES_SHOWN]
    )
    shown = list(reversed(entries))
    for entry in shown:
        entry.thumb = _photo(
            entry.thumb_file,
            entry.thumb_width,
            entry.thumb_height,
            entry.get_kind_display(),
        )
    return shown


def _events(lot: Lot) -> list[LotEvent]:
    events = (
        LotEvent.objects.filter(lot_id=lot.pk, kind__in=SHOWN_EVENT_KINDS)
        .only("kind", "occurred_at", "read_point", "data", "seq")
        .order_by("-seq")[:EVENTS_SHOWN]
    )
    return list(reversed(events))


def _product_url(lot: Lot) -> str:
    """The product page's path on the default site, without another query.

    The market runs on one site; a product outside its tree (or no default
    site) gets no link rather than a wrong one.
    """
    product = lot.variant.product
    root = lot.site_root_path
    if not (root and product.live and product.url_path.startswith(root)):
        return ""
    return "/" + product.url_path[len(root) :]


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
    lot = _find_lot(link, client=client) if link else None
    outcome = scan_verdict(
        link=check,
        lot=LotFacts(lot.status, lot.best_before, lot.serials_issued) if lot else None,
        serial=serial,
        history=ScanHistory(
            count=lot.scan_count,
            distinct_clients=lot.scan_clients,
            client_seen=lot.scan_client_seen,
        )
        if lot
        else ScanHistory(),
        limits=scan_limits(),
        today=today,
    )
    page = ScanPage(
        outcome=outcome, serial=serial, claimed_lot_id=lot.pk if lot else None
    )
    if lot is None or outcome.verdict == Verdict.NOT_GENUINE:
        return page
    page.lot = lot
    page.province = province_name(lot.farm.province_code)
    page.ward = ward_name(lot.farm.ward_code)
    page.product_url = _product_url(lot)
    page.photo = _photo(
        lot.photo_file,
        lot.photo_width,
        lot.photo_height,
        lot.photo_alt or lot.variant.product.title,
    )
    page.first_verified_at = lot.first_verified_at
    page.certifications = _certifications(lot, today=today)
    page.diary = _diary(lot)
    page.events = _events(lot)
    return page


__all__ = ["Photo", "Reason", "ScanPage", "scan_page_data"]
