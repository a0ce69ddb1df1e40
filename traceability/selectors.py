"""Traceability reads: who may see which farms and lots (the roles of
`market.access`: the operator all, seller staff their own sellers'), and what
a lot shows (events, certifications). Current state is derived here from the
append-only history, never stored twice."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from market.access import user_seller_ids
from market.checkout.models import Shipment
from market.fulfilment.models import Partner
from market.models import Certification, CertificationKind, ReviewStatus
from traceability.models import DiaryEntry, Farm, LabelRun, Lot, LotEvent


def partner_location_uri(code: str) -> str:
    """A partner post office as an EPCIS location: our site URI for it (the
    partners have no GLN registered, so no `urn:epc:id:sgln:` yet)."""
    return f"{settings.SITE_URL.rstrip('/')}/dia-diem/buu-cuc/{quote(code, safe='')}"


def shipment_place(*, shipment: Shipment, typed: str = "") -> tuple[str, dict]:
    """Where a shipment's lot event happened: (read point, event data).

    Rule kept: the read point is a registered location (the post office
    carrying the parcel) or empty, never what a worker typed; the typed place
    is kept as `place_text`, the office's name as `place_name`.
    """
    data: dict = {}
    read_point = ""
    office = (
        Partner.objects.filter(parcels__shipment_id=shipment.pk)
        .values_list("code", "name")
        .first()
    )
    if office:
        read_point = partner_location_uri(office[0])
        data["place_name"] = office[1]
    if typed and typed.strip():
        data["place_text"] = typed.strip()[:200]
    return read_point, data


def farms_visible_to(*, user) -> QuerySet[Farm]:
    """Farms of the user's own sellers; every farm for the operator."""
    farms = Farm.objects.select_related("seller")
    seller_ids = user_seller_ids(user)
    return farms if seller_ids is None else farms.filter(seller_id__in=seller_ids)


def lots_visible_to(*, user) -> QuerySet[Lot]:
    """Lots of the user's own sellers (through the farm); all for the operator."""
    lots = Lot.objects.select_related("variant__product", "farm__seller")
    seller_ids = user_seller_ids(user)
    return lots if seller_ids is None else lots.filter(farm__seller_id__in=seller_ids)


def label_runs_visible_to(*, user) -> QuerySet[LabelRun]:
    runs = LabelRun.objects.select_related("lot__variant__product", "lot__farm")
    seller_ids = user_seller_ids(user)
    return (
        runs if seller_ids is None else runs.filter(lot__farm__seller_id__in=seller_ids)
    )


def user_may_print(*, user, lot: Lot) -> bool:
    """Unit (serial) codes are only for staff of the lot's seller, or the
    operator: anyone else could print genuine-looking labels."""
    seller_ids = user_seller_ids(user)
    return seller_ids is None or lot.farm.seller_id in seller_ids


def lot_events(*, lot: Lot) -> QuerySet[LotEvent]:
    return LotEvent.objects.filter(lot=lot).order_by("seq")


def diary_current(*, farm: Farm) -> QuerySet[DiaryEntry]:
    """The diary as it stands: entries that no later entry corrects."""
    return (
        DiaryEntry.objects.filter(farm=farm, corrections__isnull=True)
        .select_related("recorded_by")
        .order_by("-occurred_at", "-pk")
    )


def lot_certifications(*, lot: Lot, on: dt.date | None = None) -> list[Certification]:
    """Approved certifications in date on `on` for the lot's product (or the
    whole seller): OCOP first, then VietGAP, then others."""
    on = on or timezone.localdate()
    product = lot.variant.product
    certifications = Certification.objects.filter(
        Q(product=product) | Q(product__isnull=True),
        seller_id=product.seller_id,
        status=ReviewStatus.APPROVED,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    order = {CertificationKind.OCOP: 0, CertificationKind.VIETGAP: 1}
    return sorted(certifications, key=lambda c: (order.get(c.kind, 2), -(c.stars or 0)))


def _company_prefix_length(gtin14: str) -> int | None:
    """Length of the seller's GS1 company prefix when settings name it.

    `GS1_COMPANY_PREFIXES` lists the prefixes our sellers hold ("8930001",
    …); a GTIN does not tell how long its company prefix is.
    """
    for prefix in getattr(settings, "GS1_COMPANY_PREFIXES", ()):
        if gtin14[1:].startswith(prefix):
            return len(prefix)
    return None


def lot_epcis_document(*, lot: Lot) -> dict:
    """The lot's public EPCIS 2.0 document: its whole event history with the
    Circular 02 elements (`selectors_trace.lot_epcis_export`), without the
    orders it reached."""
    from traceability.selectors_trace import lot_epcis_export

    return lot_epcis_export(lot=lot, with_orders=False)


def _event_quantity(event: LotEvent, lot: Lot) -> int | None:
    quantity = event.data.get("quantity") if isinstance(event.data, dict) else None
    if isinstance(quantity, int) and quantity > 0:
        return quantity
    return lot.quantity if event.kind in ("commissioning", "packing") else None
