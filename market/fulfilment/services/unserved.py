"""Paid shipments no post office serves: recorded once per shipment, the
operator alerted once by e-mail, the reason (the seller's ward and province)
kept for the admin list. `assign_parcels` runs every minute and finds the
same shipments again; the row makes sure it neither logs nor mails twice."""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from market import places
from market.checkout.models import Shipment

from ..models import Parcel, UnservedShipment

logger = logging.getLogger(__name__)


def unserved_reason(*, province_code: int | None, ward_code: int | None) -> str:
    """What the operator reads: which place no office serves."""
    ward = places.ward_name(ward_code) if ward_code else _("(chưa ghi phường / xã)")
    return _("Chưa có bưu cục nào phục vụ %(ward)s, %(province)s.") % {
        "ward": ward,
        "province": places.province_name(province_code),
    }


def shipment_unserved(*, shipment: Shipment) -> UnservedShipment:
    """Record that no active partner serves this shipment's seller. The
    first time: one warning in the log and, after commit, one e-mail to the
    operator. Later calls only keep the recorded place up to date."""
    seller = shipment.seller
    place = {"province_code": seller.province_code, "ward_code": seller.ward_code}
    record = UnservedShipment.objects.filter(shipment=shipment).first()
    created = False
    if record is None:
        try:
            with transaction.atomic():
                record = UnservedShipment.objects.create(shipment=shipment, **place)
            created = True
        except IntegrityError:  # another run recorded it at the same moment
            record = UnservedShipment.objects.get(shipment=shipment)
    elif (record.province_code, record.ward_code) != tuple(place.values()):
        UnservedShipment.objects.filter(pk=record.pk).update(**place)
        record.province_code, record.ward_code = tuple(place.values())
    if created:
        logger.warning(
            "Kiện %s (đơn %s) chưa có bưu cục nhận: %s",
            shipment.pk,
            shipment.order.number,
            unserved_reason(**place),
            extra={"shipment_id": shipment.pk, "seller_id": seller.pk, **place},
        )
    if record.alerted_at is None:
        transaction.on_commit(
            partial(unserved_alert_send, record_id=record.pk), robust=True
        )
    return record


def unserved_alert_send(*, record_id: int) -> bool:
    """E-mail the operator about one unserved shipment, at most once: the
    row is locked while the mail goes and `alerted_at` set after it went
    (a mail server that refuses leaves it unset, so the next run retries)."""
    with transaction.atomic():
        record = (
            UnservedShipment.objects.select_for_update()
            .filter(pk=record_id, alerted_at__isnull=True)
            .first()
        )
        if record is None:
            return False
        shipment = Shipment.objects.select_related("order", "seller").get(
            pk=record.shipment_id
        )
        if Parcel.objects.filter(shipment=shipment).exists():
            return False
        with translation.override("vi"):
            subject = _("Nguồn Quê: kiện của đơn %(number)s chưa có bưu cục nhận") % {
                "number": shipment.order.number
            }
            body = render_to_string(
                "fulfilment/email/unserved.txt",
                {
                    "shipment": shipment,
                    "reason": unserved_reason(
                        province_code=record.province_code, ward_code=record.ward_code
                    ),
                    "list_url": settings.SITE_URL + reverse("fulfilment_unserved"),
                    "areas_url": settings.SITE_URL
                    + reverse("fulfilment_partnerarea:add"),
                },
            )
        try:
            send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, [settings.OPERATOR_EMAIL]
            )
        except OSError:
            logger.exception("Chưa gửi được e-mail báo kiện %s", shipment.pk)
            return False
        record.alerted_at = timezone.now()
        record.save(update_fields=["alerted_at"])
    return True
