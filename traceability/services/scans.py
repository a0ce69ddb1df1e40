"""Scan log and shoppers' problem reports (writes).

`scan_record` is the scan page's only write: a single INSERT of coarse facts
(no raw address, no user agent), so logging never slows the page noticeably.
`problem_report_create` stores a report from the scan page and e-mails the
operator and, when the code names one of our lots, that lot's seller.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market.access import user_is_operator
from market.notifications.events import copied_code_notify
from traceability import digital_link
from traceability.models import Lot, ProblemReport, Scan
from traceability.selectors import lots_visible_to
from traceability.services.links import lot_for_parsed
from traceability.verdicts import client_hash

REPORTS_PER_HOUR = 5


def scan_client_hash(*, address: str) -> str:
    """Keyed hash of a client address (key derived from QR_SIGNING_KEY)."""
    key = f"scan-client:{settings.QR_SIGNING_KEY}".encode()
    return client_hash(key=key, address=address)


def scan_record(
    *,
    lot_id: int | None,
    serial: str | None,
    client: str,
    client_class: str,
    verdict: str,
    at: dt.datetime | None = None,
) -> Scan:
    """Log one public scan with one INSERT.

    Rule kept: only coarse facts are stored (a keyed client hash, a client
    class out of five, the verdict), never the address or the user agent.
    """
    return Scan.objects.create(
        lot_id=lot_id,
        serial=(serial or "")[:20],
        scanned_at=at or timezone.now(),
        client_class=client_class,
        client_hash=client,
        verdict=verdict,
    )


def copied_code_alert(*, lot_id: int, serial: str) -> int:
    """Tell the lot's seller that unit `serial` looks copied (scanned too
    often or from too many phones). Told once per code, however many
    suspicious scans follow. Returns the number of messages queued."""
    lot = (
        Lot.objects.select_related("variant__product__seller").filter(pk=lot_id).first()
    )
    if lot is None or not serial:
        return 0
    scans = Scan.objects.filter(lot_id=lot_id, serial=serial).exclude(
        client_class="bot"
    )
    product = lot.variant.product
    return copied_code_notify(
        seller=product.seller,
        product=f"{product.title} ({lot.variant.label})",
        lot=lot.code,
        serial=serial,
        scans=scans.count(),
        clients=scans.values("client_hash").distinct().count(),
    )


def report_rate_limited(*, client: str) -> bool:
    """True when this client already sent REPORTS_PER_HOUR reports this hour.

    Counted in the cache (shared between workers with Redis in production).
    """
    key = f"scan-report:{client}:{timezone.now():%Y%m%d%H}"
    added = cache.add(key, 1, timeout=3600)
    count = 1 if added else cache.incr(key)
    return count > REPORTS_PER_HOUR


def lot_for_link(*, link: str) -> Lot | None:
    """The lot a scanned link names, whether or not its signature holds.

    A report about a forged code is still about that lot (someone is copying
    it), so the seller should hear of it.
    """
    try:
        parsed = digital_link.parse(link)
    except digital_link.DigitalLinkError:
        return None
    return lot_for_parsed(
        parsed, lots=Lot.objects.select_related("variant__product__seller")
    )


def _seller_addresses(lot: Lot) -> list[str]:
    seller = lot.variant.product.seller
    addresses = {seller.email} if seller.email else set()
    addresses |= set(
        seller.users.filter(is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(addresses)


def _report_mail(report: ProblemReport, lot: Lot | None) -> tuple[str, str]:
    subject = _("Phản ánh từ người mua về mã truy xuất")
    lines = [
        _("Một người mua vừa báo có vấn đề khi quét mã trên sản phẩm."),
        "",
        _("Sản phẩm: %(product)s") % {"product": lot.variant if lot else "?"},
        _("Lô: %(lot)s") % {"lot": lot.code if lot else "?"},
        _("Số sê-ri: %(serial)s") % {"serial": report.serial or "-"},
        _("Đường dẫn đã quét: %(link)s") % {"link": report.link},
        _("Liên hệ của người mua: %(contact)s") % {"contact": report.contact or "-"},
        "",
        _("Nội dung:"),
        report.message,
    ]
    return subject, "\n".join(lines)


def problem_report_create(
    *, link: str, message: str, contact: str = ""
) -> ProblemReport:
    """Store a shopper's report and, once committed, e-mail the operator and
    the seller of the lot the link names (if any).

    Rule kept: the report is saved even when no e-mail can be sent.
    """
    lot = lot_for_link(link=link)
    try:
        serial = digital_link.parse(link).serial or ""
    except digital_link.DigitalLinkError:
        serial = ""
    with transaction.atomic():
        report = ProblemReport.objects.create(
            lot=lot,
            serial=serial[:20],
            link=link[:300],
            message=message,
            contact=contact,
        )
        recipients = [settings.OPERATOR_EMAIL]
        if lot is not None:
            recipients += _seller_addresses(lot)
        subject, body = _report_mail(report, lot)
        transaction.on_commit(
            lambda: send_mail(
                subject,
                body,
                None,
                list(dict.fromkeys(recipients)),
                fail_silently=True,
            )
        )
    return report


def problem_reports_visible_to(*, user):
    """Reports about the user's own lots; every report for the operator
    (including those about codes that name no lot)."""
    reports = ProblemReport.objects.select_related("lot__variant__product")
    if user.is_authenticated and user_is_operator(user):
        return reports
    return reports.filter(lot__in=lots_visible_to(user=user))


def problem_report_mark_handled(*, report: ProblemReport, user) -> ProblemReport:
    """Mark a report handled (once; the first time stays).

    Rule kept: only someone who may see the report may mark it.
    """
    if not problem_reports_visible_to(user=user).filter(pk=report.pk).exists():
        raise PermissionDenied
    ProblemReport.objects.filter(pk=report.pk, handled_at__isnull=True).update(
        handled_at=timezone.now()
    )
    report.refresh_from_db(fields=["handled_at"])
    return report
