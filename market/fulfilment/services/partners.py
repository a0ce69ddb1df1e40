"""Partners: who serves which seller, parcel assignment, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from market.checkout.models import Order, Shipment, ShipmentStatus
from market.models import Seller

from ..models import Parcel, ParcelEvent, ParcelStatus, Partner, PartnerToken
from . import unserved, webhooks

TOKEN_PREFIX = "nqp_"  # noqa: S105 (a public marker, not a secret)
# Tracking codes avoid look-alike characters (0/O, 1/I/L) so they can be
# read over the phone and typed from a label.
_TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def partner_for_seller(*, seller: Seller) -> Partner | None:
    """The active partner serving the seller's ward, else one serving the
    whole province (lowest pk first, so the choice is stable)."""
    active = Partner.objects.filter(is_active=True)
    if seller.ward_code:
        by_ward = active.filter(
            areas__province_code=seller.province_code,
            areas__ward_code=seller.ward_code,
        ).order_by("pk")
        if partner := by_ward.first():
            return partner
    return (
        active.filter(
            areas__province_code=seller.province_code, areas__ward_code__isnull=True
        )
        .order_by("pk")
        .first()
    )


def _tracking_code() -> str:
    return "NQ" + "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(10))


def parcel_create(*, shipment: Shipment, partner: Partner) -> Parcel:
    """A parcel for a shipment (at most one: the OneToOne keeps it so)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                parcel = Parcel.objects.create(
                    shipment=shipment,
                    partner=partner,
                    tracking_code=_tracking_code(),
                    weight_g=shipment.weight_g,
                )
                ParcelEvent.objects.create(
                    parcel=parcel,
                    partner=partner,
                    status=ParcelStatus.ASSIGNED,
                    occurred_at=timezone.now(),
                    note="Giao cho bưu cục",
                )
        except IntegrityError:
            if Parcel.objects.filter(shipment=shipment).exists():
                return Parcel.objects.get(shipment=shipment)
            continue  # a tracking code collided: draw another
        webhooks.webhook_event_emit(
            partner=partner, event_type="parcel.created", parcel=parcel
        )
        return parcel
    raise RuntimeError("could not draw a free tracking code")


def parcels_assign_for_order(*, order: Order) -> list[Parcel]:
    """Every seller shipment of a paid order gets a parcel with the partner
    serving the seller (ward first, then province). Shipments that already
    have one are left as they are; a shipment no partner serves is recorded
    once and the operator alerted once (`services.unserved`); once they add a
    service area, the every-minute `assign_parcels` gives it a parcel.
    A shipment of tourism tickets only gets no parcel: nothing to carry."""
    parcels = []
    shipments = (
        Shipment.objects.filter(
            order=order,
            status__in=[ShipmentStatus.TO_PACK, ShipmentStatus.PACKED],
            parcel__isnull=True,
            # At least one line of goods (a ticket line has its tickets).
            lines__tickets__isnull=True,
        )
        .distinct()
        .select_related("seller", "order")
        .order_by("pk")
    )
    for shipment in shipments:
        partner = partner_for_seller(seller=shipment.seller)
        if partner is None:
            unserved.shipment_unserved(shipment=shipment)
            continue
        parcels.append(parcel_create(shipment=shipment, partner=partner))
    return parcels


@transaction.atomic
def parcel_reassign(*, parcel: Parcel, partner: Partner, actor=None) -> Parcel:
    """Move a parcel to another partner, only before it is picked up. The
    old partner is told it is cancelled for them, the new one that it is new."""
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    if parcel.partner_id == partner.pk:
        return parcel
    if parcel.status not in {ParcelStatus.ASSIGNED, ParcelStatus.ACCEPTED}:
        raise ValueError("Kiện đã được lấy, không chuyển bưu cục được nữa.")
    old_partner = parcel.partner
    parcel.partner = partner
    parcel.status = ParcelStatus.ASSIGNED
    parcel.accepted_at = None
    parcel.save(update_fields=["partner", "status", "accepted_at", "updated_at"])
    ParcelEvent.objects.create(
        parcel=parcel,
        partner=partner,
        from_status=ParcelStatus.ASSIGNED,
        status=ParcelStatus.ASSIGNED,
        occurred_at=timezone.now(),
        note=f"Chuyển từ {old_partner.code} sang {partner.code}",
        actor=actor,
    )
    webhooks.webhook_event_emit(
        partner=old_partner, event_type="parcel.cancelled", parcel=parcel
    )
    webhooks.webhook_event_emit(
        partner=partner, event_type="parcel.created", parcel=parcel
    )
    return parcel


# --- API tokens ------------------------------------------------------------


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: PartnerToken
    key: str  # shown once, never stored


def partner_token_issue(*, partner: Partner, name: str = "", actor=None) -> IssuedToken:
    """A new API key for one partner. Only its SHA-256 is kept."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PartnerToken.objects.create(
        partner=partner,
        name=name,
        prefix=key[:12],
        key_hash=token_hash(key),
        created_by=actor,
    )
    return IssuedToken(token=token, key=key)


def partner_token_authenticate(*, key: str) -> PartnerToken | None:
    """The active token for this key (of an active partner), or None.
    Marks it used at most once a minute to spare the database."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        PartnerToken.objects.select_related("partner")
        .filter(key_hash=token_hash(key), revoked_at__isnull=True)
        .filter(partner__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        PartnerToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def partner_token_revoke(*, token: PartnerToken) -> None:
    PartnerToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
