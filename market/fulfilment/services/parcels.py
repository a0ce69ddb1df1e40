"""The parcel status flow along PARCEL_TRANSITIONS.

One change is one transaction: the parcel row is locked, a ParcelEvent is
added, the seller shipment and the order follow through checkout's services,
a delivered shipment credits the seller's ledger; after commit the shopper
gets an e-mail, and checkout's `shipment_status_changed` tells traceability.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market.checkout.models import Shipment, ShipmentStatus
from market.checkout.selectors import order_url
from market.checkout.services import shipment_mark_shipped, shipment_set_status

from ..models import PARCEL_TRANSITIONS, Parcel, ParcelEvent, ParcelStatus
from . import ledger, webhooks

logger = logging.getLogger(__name__)

# Partners' clocks drift; an event up to this far in the future is accepted.
CLOCK_SKEW = dt.timedelta(minutes=5)

# What the seller shipment becomes when the parcel reaches a status.
SHIPMENT_STATUS_FOR = {
    ParcelStatus.PICKED_UP: ShipmentStatus.SHIPPED,
    ParcelStatus.DELIVERED: ShipmentStatus.DELIVERED,
    ParcelStatus.RETURNED: ShipmentStatus.RETURNED,
}

TIMESTAMP_FOR = {
    ParcelStatus.ACCEPTED: "accepted_at",
    ParcelStatus.PICKED_UP: "picked_up_at",
    ParcelStatus.DELIVERED: "delivered_at",
}

# Statuses the shopper hears of from here. Pick-up is not one: it moves the
# shipment to "shipped", and checkout mails that (with the lines sent).
NOTIFY = {
    ParcelStatus.OUT_FOR_DELIVERY,
    ParcelStatus.DELIVERED,
    ParcelStatus.FAILED_ATTEMPT,
    ParcelStatus.RETURNED,
}


class ParcelTransitionError(Exception):
    """A status change the flow does not allow. `code` is machine-readable,
    `message` is Vietnamese for people."""

    def __init__(self, code: str, message: str, *, current: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.current = current


@dataclass(frozen=True)
class ParcelChange:
    event: ParcelEvent
    created: bool  # False: this client event was already recorded


def _known_event(*, parcel: Parcel, client_event_id: str) -> ParcelEvent | None:
    if not client_event_id:
        return None
    event = ParcelEvent.objects.filter(
        partner_id=parcel.partner_id, client_event_id=client_event_id
    ).first()
    if event is not None and event.parcel_id != parcel.pk:
        raise ParcelTransitionError(
            "client_event_id_reused",
            _("Mã sự kiện này đã dùng cho một kiện khác. Hãy dùng mã mới."),
        )
    return event


def _check(*, parcel: Parcel, status: str, occurred_at: dt.datetime) -> None:
    if status not in PARCEL_TRANSITIONS[parcel.status]:
        allowed = ", ".join(sorted(PARCEL_TRANSITIONS[parcel.status])) or "—"
        raise ParcelTransitionError(
            "transition_not_allowed",
            _(
                "Kiện đang ở trạng thái “%(current)s”, không chuyển sang "
                "“%(new)s” được. Trạng thái tiếp theo có thể là: %(allowed)s."
            )
            % {
                "current": ParcelStatus(parcel.status).label,
                "new": ParcelStatus(status).label,
                "allowed": allowed,
            },
            current=parcel.status,
        )
    if occurred_at > timezone.now() + CLOCK_SKEW:
        raise ParcelTransitionError(
            "occurred_in_future",
            _("Thời gian sự kiện ở tương lai. Hãy kiểm tra đồng hồ."),
        )
    # The market's own "assigned" rows use our clock, not the partner's.
    last = (
        parcel.events.exclude(status=ParcelStatus.ASSIGNED)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
    )
    if last and occurred_at < last[0]:
        raise ParcelTransitionError(
            "out_of_order",
            _("Sự kiện xảy ra trước sự kiện đã ghi gần nhất; gửi theo đúng thứ tự."),
            current=parcel.status,
        )


def parcel_set_status(
    *,
    parcel: Parcel,
    status: str,
    occurred_at: dt.datetime | None = None,
    location: str = "",
    note: str = "",
    client_event_id: str = "",
    actor=None,
    token=None,
) -> ParcelChange:
    """Move a parcel one step along PARCEL_TRANSITIONS.

    Rules kept: a change not in the table, dated in the future or before the
    last recorded event is refused (ParcelTransitionError) and nothing
    changes; the same `client_event_id` of a partner is recorded once, and
    sending it again returns the first event with `created=False`."""
    occurred_at = occurred_at or timezone.now()
    if known := _known_event(parcel=parcel, client_event_id=client_event_id):
        return ParcelChange(event=known, created=False)
    try:
        with transaction.atomic():
            parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
            if known := _known_event(parcel=parcel, client_event_id=client_event_id):
                return ParcelChange(event=known, created=False)
            _check(parcel=parcel, status=status, occurred_at=occurred_at)
            event = _apply(
                parcel=parcel,
                status=status,
                occurred_at=occurred_at,
                location=location,
                note=note,
                client_event_id=client_event_id,
                actor=actor,
                token=token,
            )
    except IntegrityError:
        # Another request recorded the same client event first.
        known = _known_event(parcel=parcel, client_event_id=client_event_id)
        if known is None:
            raise
        return ParcelChange(event=known, created=False)
    return ParcelChange(event=event, created=True)


def _apply(*, parcel: Parcel, status: str, occurred_at, location, note, **who):
    event = ParcelEvent.objects.create(
        parcel=parcel,
        partner_id=parcel.partner_id,
        from_status=parcel.status,
        status=status,
        occurred_at=occurred_at,
        location=location,
        note=note,
        **who,
    )
    parcel.status = status
    fields = ["status", "updated_at"]
    if stamp := TIMESTAMP_FOR.get(status):
        setattr(parcel, stamp, occurred_at)
        fields.append(stamp)
    parcel.save(update_fields=fields)
    if status in SHIPMENT_STATUS_FOR:
        _shipment_follow(
            parcel=parcel,
            new_status=SHIPMENT_STATUS_FOR[status],
            occurred_at=occurred_at,
            location=location,
            actor=who.get("actor"),
        )
    if status in NOTIFY:
        transaction.on_commit(
            lambda: _notify_shopper(parcel_id=parcel.pk, status=status)
        )
    return event


def _shipment_follow(
    *, parcel: Parcel, new_status: str, occurred_at, location, actor
) -> None:
    # Checkout moves the shipment (stock consumed at pick-up), makes the
    # order follow and sends `shipment_status_changed` on commit.
    shipment = Shipment.objects.get(pk=parcel.shipment_id)
    if shipment.status == new_status:
        return
    if new_status == ShipmentStatus.SHIPPED:
        shipment = shipment_mark_shipped(
            shipment=shipment, shipped_at=occurred_at, actor=actor, location=location
        )
    else:
        shipment = shipment_set_status(
            shipment=shipment,
            to_status=new_status,
            actor=actor,
            occurred_at=occurred_at,
            location=location,
        )
    if new_status == ShipmentStatus.DELIVERED:
        ledger.ledger_credit_delivery(shipment=shipment)


def _notify_shopper(*, parcel_id: int, status: str) -> None:
    parcel = Parcel.objects.select_related("shipment__order", "shipment__seller").get(
        pk=parcel_id
    )
    order = parcel.shipment.order
    if not order.email:
        return
    label = ParcelStatus(status).label
    subject = _("Đơn %(number)s: %(status)s") % {
        "number": order.number,
        "status": label,
    }
    body = _(
        "Chào %(name)s,\n\nKiện hàng %(code)s của %(seller)s trong đơn %(number)s: "
        "%(status)s.\n\nXem đơn hàng: %(url)s\n\nNguồn Quê"
    ) % {
        "name": order.customer_name,
        "code": parcel.tracking_code,
        "seller": parcel.shipment.seller.legal_name,
        "number": order.number,
        "status": label,
        "url": order_url(order, absolute=True),
    }
    try:
        send_mail(subject, body, None, [order.email])
    except Exception:  # a mail outage must not undo a delivered parcel
        logger.exception("Could not e-mail shopper about parcel %s", parcel_id)


@transaction.atomic
def parcel_cancel(*, parcel: Parcel, note: str = "", actor=None) -> bool:
    """Cancel a parcel not yet picked up (order refunded or cancelled) and
    tell the partner. Returns False when it is already past pick-up."""
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    if ParcelStatus.CANCELLED not in PARCEL_TRANSITIONS[parcel.status]:
        return False
    _apply(
        parcel=parcel,
        status=ParcelStatus.CANCELLED,
        occurred_at=timezone.now(),
        location="",
        note=note,
        actor=actor,
    )
    webhooks.webhook_event_emit(
        partner=parcel.partner, event_type="parcel.cancelled", parcel=parcel
    )
    return True
