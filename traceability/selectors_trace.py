"""The traceability record of one lot as Circular 02/2024/TT-BKHCN asks
(its minimum data elements, one step back and one step forward), and its
exports: EPCIS 2.0 JSON-LD, a CSV and a printable page of the elements.

Two audiences:

- public (the open API, the scan page): what the printed code already says,
  plus the businesses a lot came from and went to; never a shopper;
- the lot's own seller and the operator (admin export for the National
  Traceability Portal): also each order the lot reached, by order number and
  destination ward / province. Still no shopper's name, phone or street.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import Certification, Seller
from market.places import province_name, ward_name
from traceability import digital_link, epcis
from traceability.models import (
    Farm,
    Lot,
    LotAllocation,
    LotEvent,
    LotEventKind,
    LotInput,
)
from traceability.selectors import (
    _company_prefix_length,
    _event_quantity,
    lot_certifications,
    lot_events,
)
from traceability.services.links import lot_link

STAGE_LABELS = dict(LotEventKind.choices)


def _site(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def farm_location_uri(farm: Farm) -> str:
    """The farm as a location code: its GLN as a GS1 Digital Link (AI 414)
    when it has one, else our own site URI (an identifier, not a page)."""
    if farm.gln:
        return f"https://id.gs1.org/414/{farm.gln}"
    return _site(f"/dia-diem/vuon/{farm.pk}")


def party_uri(*, tax_code: str = "", gln: str = "") -> str:
    """A business as an EPCIS party: its GLN (AI 417), else its tax code under
    our site; "" when neither is known."""
    if gln:
        return f"https://id.gs1.org/417/{gln}"
    if tax_code:
        return _site(f"/doanh-nghiep/mst/{quote(tax_code, safe='')}")
    return ""


def area_uri(*, province_code: int | None, ward_code: int | None) -> str:
    """A destination as coarse as a ward (never a street or a person)."""
    if ward_code:
        return _site(f"/dia-diem/xa/{ward_code}")
    if province_code:
        return _site(f"/dia-diem/tinh/{province_code}")
    return ""


def certificate_uri(cert: Certification) -> str:
    return _site(f"/chung-nhan/{cert.kind}/{quote(cert.number, safe='')}")


def order_uri(number: str) -> str:
    return _site(f"/don-hang/{quote(number, safe='')}")


def address_text(place) -> str:
    """Street, ward, province of a seller or farm, in words."""
    parts = [place.address_line, ward_name(place.ward_code)]
    parts.append(province_name(place.province_code))
    return ", ".join(p for p in parts if p)


def input_epc_class(item: LotInput) -> str:
    """An input as an EPC class: another lot on our market is that lot's
    class; a purchased input with a GTIN is its Digital Link; otherwise our
    own URI of the declared input."""
    if item.source_lot_id:
        return _lot_info(item.source_lot).epc_class
    if item.supplier_gtin and item.supplier_lot_code:
        code = quote(item.supplier_lot_code, safe="")
        return f"https://id.gs1.org/01/{item.supplier_gtin}/10/{code}"
    if item.supplier_gtin:
        return f"https://id.gs1.org/01/{item.supplier_gtin}"
    return _site(f"/nguyen-lieu/{item.pk}")


@dataclass(frozen=True)
class _LotIds:
    info: epcis.LotInfo

    @property
    def epc_class(self) -> str:
        return epcis.epc_class(self.info)


def _lot_info(lot: Lot) -> _LotIds:
    gtin14 = digital_link.gtin_pad(lot.variant.gtin) if lot.variant.gtin else None
    return _LotIds(
        epcis.LotInfo(
            code=lot.code,
            gtin14=gtin14,
            company_prefix_length=_company_prefix_length(gtin14) if gtin14 else None,
            fallback_uri=f"{settings.SITE_URL}/q/{lot.pk}",
            harvested_on=lot.harvested_on,
            best_before=lot.best_before,
        )
    )


# --- the record -------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    kind: str
    label: str
    occurred_at: dt.datetime
    gtin: str
    location_name: str
    location_code: str


@dataclass(frozen=True)
class InputLine:
    product_name: str
    supplier_name: str
    supplier_tax_code: str
    supplier_gln: str
    supplier_lot_code: str
    supplier_gtin: str
    quantity: str
    received_on: dt.date | None
    source_lot_id: int | None
    epc_class: str


@dataclass(frozen=True)
class OutputLine:
    """One step forward: an order the lot filled (`kind="order"`) or a lot
    of another business made from it (`kind="lot"`)."""

    kind: str
    reference: str  # order number or lot code
    party: str  # "" for a shopper; the business for a lot
    destination: str  # ward and province of the order; "" for a lot
    quantity: int | None
    on: dt.date | None
    shipment_id: int | None = None


@dataclass
class TraceRecord:
    lot: Lot
    product_name: str
    variant_label: str
    image_url: str
    producer_name: str
    producer_tax_code: str
    producer_address: str
    farm_name: str
    farm_address: str
    farm_location_code: str
    gtin: str
    traceability_code: str
    lot_code: str
    serials: str
    harvested_on: dt.date
    packed_on: dt.date | None
    best_before: dt.date | None
    standards: list[str]
    certificates: list[Certification]
    stages: list[Stage] = field(default_factory=list)
    inputs: list[InputLine] = field(default_factory=list)
    outputs: list[OutputLine] = field(default_factory=list)


def _image_url(lot: Lot) -> str:
    first = lot.variant.product.images.select_related("image").order_by(
        "sort_order", "pk"
    )
    item = first.first()
    if item is None:
        return ""
    url = item.image.file.url
    return _site(url) if url.startswith("/") else url


def lot_standards(lot: Lot, certificates: list[Certification]) -> list[str]:
    """The standards applied: the lot's declared standards (TCVN …), then the
    approved, valid certificates (VietGAP, OCOP, organic)."""
    found = [s.strip() for s in lot.standards_applied.split(";") if s.strip()]
    for cert in certificates:
        label = cert.get_kind_display()
        if cert.stars:
            label += f" {cert.stars}★"
        found.append(f"{label} {cert.number}")
    return found


def _event_place(event: LotEvent, farm: Farm) -> tuple[str, str]:
    data = event.data if isinstance(event.data, dict) else {}
    if event.kind in (LotEventKind.COMMISSIONING, LotEventKind.PACKING):
        return farm.name, farm_location_uri(farm)
    name = data.get("place_name") or data.get("place_text") or ""
    code = event.read_point if epcis.looks_like_uri(event.read_point) else ""
    return str(name), code


def lot_inputs(*, lot: Lot) -> list[LotInput]:
    return list(
        LotInput.objects.filter(lot=lot)
        .select_related("source_lot__variant__product", "source_lot__farm")
        .order_by("pk")
    )


def lot_outputs(*, lot: Lot, with_orders: bool) -> list[OutputLine]:
    """One step forward: lots of other businesses made from this lot (public)
    and, `with_orders`, the orders it filled (order number, ward, province,
    units, date; never the shopper)."""
    lines = [
        OutputLine(
            kind="lot",
            reference=item.lot.code,
            party=item.lot.farm.seller.legal_name,
            destination=item.lot.variant.product.title,
            quantity=None,
            on=item.received_on or item.lot.harvested_on,
        )
        for item in LotInput.objects.filter(source_lot=lot)
        .select_related("lot__farm__seller", "lot__variant__product")
        .order_by("pk")
    ]
    if with_orders:
        allocations = (
            LotAllocation.objects.filter(lot=lot)
            .select_related("order_line__order", "order_line__shipment")
            .order_by("order_line__order__created_at", "pk")
        )
        for allocation in allocations:
            order = allocation.order_line.order
            shipment = allocation.order_line.shipment
            when = (shipment and shipment.shipped_at) or allocation.created_at
            lines.append(
                OutputLine(
                    kind="order",
                    reference=order.number,
                    party="",
                    destination=", ".join(
                        p
                        for p in (
                            ward_name(order.ward_code),
                            province_name(order.province_code),
                        )
                        if p
                    ),
                    quantity=allocation.quantity,
                    on=timezone.localdate(when),
                    shipment_id=shipment.pk if shipment else None,
                )
            )
    return lines


def lot_trace_record(*, lot: Lot, with_orders: bool = False) -> TraceRecord:
    """Every Circular 02 element of the lot (see docs/traceability.md)."""
    lot = (
        Lot.objects.select_related("variant__product__seller", "farm")
        .filter(pk=lot.pk)
        .get()
    )
    product = lot.variant.product
    seller: Seller = product.seller
    farm = lot.farm
    certificates = lot_certifications(lot=lot)
    gtin = digital_link.gtin_pad(lot.variant.gtin) if lot.variant.gtin else ""
    record = TraceRecord(
        lot=lot,
        product_name=product.title,
        variant_label=lot.variant.label,
        image_url=_image_url(lot),
        producer_name=seller.legal_name,
        producer_tax_code=seller.tax_code,
        producer_address=address_text(seller),
        farm_name=farm.name,
        farm_address=address_text(farm),
        farm_location_code=farm_location_uri(farm),
        gtin=gtin,
        traceability_code=lot_link(lot=lot),
        lot_code=lot.code,
        serials=f"1–{lot.serials_issued}" if lot.serials_issued else "",
        harvested_on=lot.harvested_on,
        packed_on=lot.packed_on,
        best_before=lot.best_before,
        standards=lot_standards(lot, certificates),
        certificates=certificates,
    )
    for event in lot_events(lot=lot):
        name, code = _event_place(event, farm)
        record.stages.append(
            Stage(
                kind=event.kind,
                label=str(STAGE_LABELS.get(event.kind, event.kind)),
                occurred_at=event.occurred_at,
                gtin=gtin,
                location_name=name,
                location_code=code,
            )
        )
    for item in lot_inputs(lot=lot):
        record.inputs.append(
            InputLine(
                product_name=item.product_name,
                supplier_name=item.supplier_name,
                supplier_tax_code=item.supplier_tax_code,
                supplier_gln=item.supplier_gln,
                supplier_lot_code=item.supplier_lot_code,
                supplier_gtin=item.supplier_gtin,
                quantity=item.quantity,
                received_on=item.received_on,
                source_lot_id=item.source_lot_id,
                epc_class=input_epc_class(item),
            )
        )
    record.outputs = lot_outputs(lot=lot, with_orders=with_orders)
    return record


# --- EPCIS ------------------------------------------------------------------


def _master_data(record: TraceRecord, info: epcis.LotInfo) -> list[dict]:
    lot = record.lot
    seller = lot.variant.product.seller
    farm = lot.farm
    product = {
        "cbvmda:regulatedProductName": record.product_name,
        "cbvmda:descriptionShort": f"{record.product_name} – {record.variant_label}",
        "cbvmda:manufacturerOfTradeItemPartyName": record.producer_name,
        "cbvmda:tradeItemCountryOfOrigin": "VN",
        "nq:image": record.image_url,
        "nq:standards": "; ".join(record.standards),
        "nq:serials": record.serials,
    }
    location = {
        "cbvmda:name": farm.name,
        "cbvmda:streetAddressOne": farm.address_line,
        "cbvmda:city": ward_name(farm.ward_code),
        "cbvmda:state": province_name(farm.province_code),
        "cbvmda:countryCode": "VN",
        "cbvmda:latitude": str(farm.latitude) if farm.latitude is not None else "",
        "cbvmda:longitude": str(farm.longitude) if farm.longitude is not None else "",
    }
    party = {
        "cbvmda:name": seller.legal_name,
        "cbvmda:streetAddressOne": seller.address_line,
        "cbvmda:city": ward_name(seller.ward_code),
        "cbvmda:state": province_name(seller.province_code),
        "cbvmda:countryCode": "VN",
        "nq:taxCode": seller.tax_code,
    }
    parties = [(party_uri(tax_code=seller.tax_code), party)]
    for item in record.inputs:
        uri = party_uri(tax_code=item.supplier_tax_code, gln=item.supplier_gln)
        if uri and uri not in {p[0] for p in parties}:
            parties.append(
                (
                    uri,
                    {
                        "cbvmda:name": item.supplier_name,
                        "nq:taxCode": item.supplier_tax_code,
                    },
                )
            )
    return [
        epcis.vocabulary(
            epcis.EPC_CLASS_VOCABULARY, [(epcis.epc_class(info), product)]
        ),
        epcis.vocabulary(
            epcis.LOCATION_VOCABULARY, [(record.farm_location_code, location)]
        ),
        epcis.vocabulary(epcis.PARTY_VOCABULARY, parties),
    ]


def _shipment_destinations(lot: Lot) -> dict[int, tuple[str, str]]:
    """shipment id → (order URI, destination area URI) for the lot's orders."""
    found = {}
    rows = LotAllocation.objects.filter(lot=lot).values_list(
        "order_line__shipment_id",
        "order_line__order__number",
        "order_line__order__province_code",
        "order_line__order__ward_code",
    )
    for shipment_id, number, province_code, ward_code in rows:
        if shipment_id is not None:
            found[shipment_id] = (
                order_uri(number),
                area_uri(province_code=province_code, ward_code=ward_code),
            )
    return found


def lot_epcis_export(*, lot: Lot, with_orders: bool = False) -> dict:
    """The lot as an EPCIS 2.0 document carrying the Circular 02 elements:

    - master data: the product (name, image, standards, serials), the farm
      (name, address, coordinates) under its location code, the producer and
      the suppliers as parties (name, address, tax code);
    - a TransformationEvent from the declared inputs (one step back), with
      the suppliers as `sourceList` owning parties;
    - every lot event, harvest and packing with the farm as `bizLocation`,
      the certificates as `certificationInfo` on the harvest, the producer
      as source of shipments; `with_orders` (the seller's own export) adds
      each shipment's order number and destination ward (one step forward).
    """
    record = lot_trace_record(lot=lot, with_orders=with_orders)
    lot = record.lot
    info = _lot_info(lot).info
    producer = party_uri(tax_code=lot.variant.product.seller.tax_code)
    certificates = tuple(certificate_uri(c) for c in record.certificates)
    destinations = _shipment_destinations(lot) if with_orders else {}
    events = []
    stored = list(lot_events(lot=lot))
    for event in stored:
        data = event.data if isinstance(event.data, dict) else {}
        extra: dict = {}
        if event.kind in (LotEventKind.COMMISSIONING, LotEventKind.PACKING):
            extra["biz_location"] = record.farm_location_code
        if event.kind == LotEventKind.COMMISSIONING and certificates:
            extra["certification_info"] = certificates
        if event.kind == LotEventKind.SHIPPING:
            extra["sources"] = (("owning_party", producer),)
            order, area = destinations.get(data.get("shipment"), ("", ""))
            if order:
                extra["transactions"] = (("po", order),)
            if area:
                extra["destinations"] = (("location", area),)
        events.append(
            epcis.EventInfo(
                kind=event.kind,
                event_id=str(event.event_id),
                seq=event.seq,
                occurred_at=event.occurred_at,
                recorded_at=event.recorded_at,
                biz_step=event.biz_step,
                disposition=event.disposition,
                read_point=event.read_point,
                prev_hash=event.prev_hash,
                hash=event.hash,
                quantity=_event_quantity(event, lot),
                data=data,
                **extra,
            )
        )
    extra_events = []
    if record.inputs:
        start = stored[0] if stored else None
        inputs = [
            epcis.InputInfo(
                epc_class=item.epc_class,
                quantity_text=item.quantity,
                supplier_uri=party_uri(
                    tax_code=item.supplier_tax_code, gln=item.supplier_gln
                ),
                supplier_name=item.supplier_name,
                supplier_lot_code=item.supplier_lot_code,
            )
            for item in record.inputs
        ]
        extra_events.append(
            epcis.transformation_document(
                info,
                inputs=inputs,
                # Stable: the same lot always gives the same event id.
                event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{info.fallback_uri}#in")),
                occurred_at=start.occurred_at if start else timezone.now(),
                recorded_at=start.recorded_at if start else timezone.now(),
                read_point=start.read_point if start else "",
                quantity=lot.quantity,
            )
        )
    return epcis.lot_document(
        lot=info,
        events=events,
        created=timezone.now(),
        extension_namespace=f"{settings.SITE_URL}/ns/truy-xuat#",
        extra_events=extra_events,
        master_data=_master_data(record, info),
    )


# --- one-page summary --------------------------------------------------------


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def summary_rows(record: TraceRecord) -> list[tuple[str, str, str]]:
    """(section, element, value) rows, in the order of the circular's list;
    the CSV and the printable page both show these."""
    main = _("Thông tin chung")
    rows = [
        (main, _("Tên sản phẩm"), f"{record.product_name} – {record.variant_label}"),
        (main, _("Ảnh sản phẩm"), record.image_url),
        (main, _("Mã sản phẩm (GTIN)"), record.gtin),
        (main, _("Cơ sở sản xuất"), record.producer_name),
        (main, _("Mã số thuế"), record.producer_tax_code),
        (main, _("Địa chỉ cơ sở sản xuất"), record.producer_address),
        (main, _("Nơi sản xuất"), f"{record.farm_name}, {record.farm_address}"),
        (main, _("Mã địa điểm"), record.farm_location_code),
        (main, _("Mã truy xuất nguồn gốc"), record.traceability_code),
        (main, _("Số lô"), record.lot_code),
        (main, _("Số sê-ri đã cấp"), record.serials),
        (main, _("Ngày thu hoạch"), _day(record.harvested_on)),
        (main, _("Ngày đóng gói"), _day(record.packed_on)),
        (main, _("Hạn sử dụng"), _day(record.best_before)),
        (main, _("Tiêu chuẩn áp dụng"), "; ".join(record.standards)),
    ]
    section = _("Các công đoạn")
    for stage in record.stages:
        value = f"{stage.occurred_at.astimezone(epcis.VIETNAM):%d/%m/%Y %H:%M}"
        if stage.location_name:
            value += f" · {stage.location_name}"
        if stage.location_code:
            value += f" · {stage.location_code}"
        if stage.gtin:
            value += f" · GTIN {stage.gtin}"
        rows.append((section, stage.label, value))
    section = _("Một bước trước: nguyên liệu")
    for item in record.inputs:
        value = ", ".join(
            p
            for p in (
                item.supplier_name,
                item.supplier_tax_code and _("MST %s") % item.supplier_tax_code,
                item.supplier_gln and f"GLN {item.supplier_gln}",
                item.supplier_lot_code and _("lô %s") % item.supplier_lot_code,
                item.quantity,
                _day(item.received_on),
            )
            if p
        )
        rows.append((section, item.product_name, value))
    section = _("Một bước sau: nơi nhận")
    for line in record.outputs:
        if line.kind == "lot":
            rows.append(
                (
                    section,
                    _("Lô %s") % line.reference,
                    f"{line.party} · {line.destination}",
                )
            )
        else:
            value = f"{line.quantity} · {line.destination} · {_day(line.on)}"
            rows.append((section, _("Đơn %s") % line.reference, value))
    return rows


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula (CSV
    # injection): typed names and codes are shown as text instead.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def summary_csv(record: TraceRecord) -> str:
    """The summary rows as CSV (UTF-8 with BOM, so spreadsheet programs read
    the Vietnamese letters)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Mục"), _("Thông tin"), _("Giá trị")])
    writer.writerows([[_cell(v) for v in row] for row in summary_rows(record)])
    return "\ufeff" + buffer.getvalue()
