"""Sending notifications: routing, the delivery log, retries with backoff.

A use case (an order paid, a certificate expiring…) calls `seller_notify` or
`shopper_notify` with a `Message` (see messages.py) and a key naming the
event. Rows go in the delivery log first; the send happens in a task after
the surrounding transaction commits, so nothing is told about a change that
rolled back, and a message the provider did not take is retried:

    attempt 1 at once, then after 1, 2, 4, 8 and 16 minutes (6 attempts,
    about half an hour), after which the row is marked failed for the
    operator to see.

With the immediate task backend (tests, the embedded profile) a retry cannot
wait in a queue: `manage.py retry_notifications`, run every minute, sends
what is due. With RQ or the database backend the retry is enqueued with
`run_after`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import Seller
from market.retries import attempt_claim

from .clients import (
    ChannelError,
    ChannelRejected,
    ChannelUnavailable,
    EsmsClient,
    TokenExpired,
    ZaloOAuthClient,
    ZnsClient,
)
from .messages import Message
from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    NotificationPreference,
    ZaloToken,
)
from .phones import PhoneInvalid, phone_to_msisdn

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 60
# Zalo says the number has no (reachable) Zalo account: send it by SMS.
ZNS_NO_ACCOUNT = {"-118", "-119"}


# --- preferences ---------------------------------------------------------------


def phone_error_text() -> str:
    return _(
        "Số điện thoại chưa đúng. Hãy ghi số di động 10 chữ số, bắt đầu bằng 03, "
        "05, 07, 08 hoặc 09, ví dụ 0905 123 456."
    )


def preference_clean(*, channel: str, phone: str) -> str:
    """The phone as gateways take it (`84…`, or "" when none is given).

    Rules kept: a phone, when given, is an assigned Vietnamese mobile number;
    SMS and Zalo cannot be chosen without one."""
    msisdn = ""
    if (phone or "").strip():
        try:
            msisdn = phone_to_msisdn(phone)
        except PhoneInvalid as error:
            raise ValidationError({"phone": phone_error_text()}) from error
    if channel in (Channel.SMS, Channel.ZALO) and not msisdn:
        raise ValidationError(
            {"phone": _("Nhận tin qua Zalo hay SMS thì cần số điện thoại di động.")}
        )
    return msisdn


def preference_set(
    *, seller: Seller, channel: str, phone: str = "", email: str = ""
) -> NotificationPreference:
    """Save how `seller` wants to be told (phone normalised to 84…)."""
    msisdn = preference_clean(channel=channel, phone=phone)
    preference, _created = NotificationPreference.objects.update_or_create(
        seller=seller,
        defaults={"channel": channel, "phone": msisdn, "email": email.strip()},
    )
    return preference


# --- routing --------------------------------------------------------------------


def sms_configured() -> bool:
    return bool(settings.ESMS_API_KEY and settings.ESMS_SECRET_KEY)


def zalo_refresh_configured() -> bool:
    return bool(settings.ZALO_APP_ID and settings.ZALO_APP_SECRET)


def zalo_configured(kind: str) -> bool:
    has_token = settings.ZALO_ACCESS_TOKEN or (
        zalo_refresh_configured() and settings.ZALO_REFRESH_TOKEN
    )
    return bool(has_token and settings.ZALO_TEMPLATES.get(kind))


def _seller_emails(seller: Seller) -> list[str]:
    addresses = {seller.email} | {u.email for u in seller.users.filter(is_active=True)}
    return sorted(a for a in addresses if a)


def seller_routes(*, seller: Seller, kind: str) -> list[tuple[str, str]]:
    """(channel, recipient) pairs for one message of `kind` to `seller`.

    The farmer's choice when it can be served: Zalo needs the kind's
    template to be configured, else SMS is used; SMS needs the gateway's
    keys, else e-mail is used. E-mail goes to the preference's address, or to
    the store's and its staff's addresses."""
    preference = NotificationPreference.objects.filter(seller=seller).first()
    channel = preference.channel if preference else Channel.EMAIL
    phone = preference.phone if preference else ""
    if channel == Channel.ZALO and phone and zalo_configured(kind):
        return [(Channel.ZALO, phone)]
    if channel in (Channel.ZALO, Channel.SMS) and phone and sms_configured():
        return [(Channel.SMS, phone)]
    if preference and preference.email:
        return [(Channel.EMAIL, preference.email)]
    # One e-mail to the store and its staff together, as before SMS existed.
    addresses = ", ".join(_seller_emails(seller))
    return [(Channel.EMAIL, addresses[:254])] if addresses else []


def _key(base: str, channel: str, recipient: str) -> str:
    key = f"{base}>{channel}:{recipient}"
    if len(key) <= 120:
        return key
    return f"{base[:50]}>{hashlib.sha256(key.encode()).hexdigest()}"


def _create(
    *, key: str, seller, channel: str, recipient: str, message: Message
) -> Delivery | None:
    text = message.body if channel == Channel.EMAIL else message.sms.text
    row = Delivery(
        key=key,
        seller=seller,
        recipient=recipient,
        channel=channel,
        kind=message.kind,
        subject=message.subject[:200] if channel == Channel.EMAIL else "",
        text=text,
        unicode=channel == Channel.SMS and message.sms.unicode,
        template_data=message.zalo if channel == Channel.ZALO else {},
        next_attempt_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None  # told before (same key)
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def _already_told(base: str) -> bool:
    return Delivery.objects.filter(key__startswith=f"{base}>").exists()


def seller_notify(*, seller: Seller, message: Message, key: str) -> list[Delivery]:
    """Tell `seller` `message` on their chosen channel, once per `key`.

    Rule kept: an event (the key) is told to a seller at most once, whatever
    retries, double signals or a changed preference happen afterwards."""
    if _already_told(key):
        return []
    rows = [
        _create(
            key=_key(key, channel, recipient),
            seller=seller,
            channel=channel,
            recipient=recipient,
            message=message,
        )
        for channel, recipient in seller_routes(seller=seller, kind=message.kind)
    ]
    return [row for row in rows if row is not None]


def shopper_notify(
    *, phone: str, email: str, message: Message, key: str
) -> list[Delivery]:
    """Tell a shopper: by SMS when they left a mobile number and SMS is
    configured (a recall must reach them fast), else by e-mail. The rows have
    no seller: only the operator sees them."""
    if _already_told(key):
        return []
    msisdn = ""
    try:
        msisdn = phone_to_msisdn(phone) if phone else ""
    except PhoneInvalid:
        msisdn = ""
    if msisdn and sms_configured():
        channel, recipient = Channel.SMS, msisdn
    elif email:
        channel, recipient = Channel.EMAIL, email
    else:
        return []
    row = _create(
        key=_key(key, channel, recipient),
        seller=None,
        channel=channel,
        recipient=recipient,
        message=message,
    )
    return [row] if row else []


# --- sending ----------------------------------------------------------------------


def _enqueue(delivery_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver_notification

    if run_after is not None:
        if not deliver_notification.get_backend().supports_defer:
            return  # `retry_notifications` picks it up (immediate backend)
        deliver_notification.using(run_after=run_after).enqueue(delivery_id)
        return
    deliver_notification.enqueue(delivery_id)


def esms_client() -> EsmsClient:
    return EsmsClient(
        api_key=settings.ESMS_API_KEY,
        secret_key=settings.ESMS_SECRET_KEY,
        brandname=settings.ESMS_BRANDNAME,
        sms_type=settings.ESMS_SMS_TYPE,
        sandbox=settings.ESMS_SANDBOX,
        base_url=settings.ESMS_URL,
        timeout=settings.NOTIFY_TIMEOUT_SECONDS,
    )


def zns_client(access_token: str) -> ZnsClient:
    return ZnsClient(
        access_token=access_token,
        base_url=settings.ZALO_ZNS_URL,
        timeout=settings.NOTIFY_TIMEOUT_SECONDS,
    )


TOKEN_MARGIN = dt.timedelta(minutes=5)


def zalo_access_token(*, stale: str = "") -> str:
    """The OA access token to send with.

    Without the app's id and secret: `ZALO_ACCESS_TOKEN` as set. With them,
    the stored pair (seeded from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN) is
    renewed when it is about to expire or when Zalo refused `stale`. Rule
    kept: refreshes are serialised on the row lock, because each refresh
    token works once — two workers never spend the same one."""
    if not zalo_refresh_configured():
        return settings.ZALO_ACCESS_TOKEN
    ZaloToken.objects.get_or_create(
        pk=1,
        defaults={
            "access_token": settings.ZALO_ACCESS_TOKEN,
            "refresh_token": settings.ZALO_REFRESH_TOKEN,
        },
    )
    with transaction.atomic():
        row = ZaloToken.objects.select_for_update().get(pk=1)
        now = timezone.now()
        expiring = row.expires_at is not None and row.expires_at <= now + TOKEN_MARGIN
        refused = bool(stale) and row.access_token == stale
        if row.access_token and not expiring and not refused:
            return row.access_token
        if not row.refresh_token:
            raise TokenExpired("Zalo access token expired and no refresh token set")
        pair = ZaloOAuthClient(
            app_id=settings.ZALO_APP_ID,
            app_secret=settings.ZALO_APP_SECRET,
            base_url=settings.ZALO_OAUTH_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
        ).refresh(refresh_token=row.refresh_token)
        row.access_token = pair.access_token
        row.refresh_token = pair.refresh_token
        row.expires_at = now + dt.timedelta(seconds=pair.expires_in or 3600)
        row.save()
        return row.access_token


def _send_zalo(delivery: Delivery, template_id: str) -> str:
    token = zalo_access_token()

    def send(access_token: str) -> str:
        return zns_client(access_token).send(
            phone=delivery.recipient,
            template_id=template_id,
            template_data=delivery.template_data,
            tracking_id=_provider_ref(delivery),
        )

    try:
        return send(token)
    except TokenExpired:
        if not zalo_refresh_configured():
            raise
        return send(zalo_access_token(stale=token))


def _provider_ref(delivery: Delivery) -> str:
    # eSMS RequestId / ZNS tracking_id: the same on every retry of this row.
    return f"nq-{delivery.pk}"


def _send(delivery: Delivery) -> str:
    if delivery.channel == Channel.EMAIL:
        try:
            to = [a.strip() for a in delivery.recipient.split(",") if a.strip()]
            send_mail(delivery.subject, delivery.text, None, to)
        except OSError as error:
            raise ChannelUnavailable(f"{type(error).__name__}: {error}") from error
        return ""
    if delivery.channel == Channel.SMS:
        if not sms_configured():
            raise ChannelUnavailable("ESMS_API_KEY / ESMS_SECRET_KEY not set")
        return esms_client().send(
            phone=delivery.recipient,
            text=delivery.text,
            unicode=delivery.unicode,
            request_id=_provider_ref(delivery),
        )
    template_id = settings.ZALO_TEMPLATES.get(delivery.kind, "")
    if not (template_id and zalo_configured(delivery.kind)):
        raise ChannelUnavailable("ZALO_ACCESS_TOKEN / template id not set")
    return _send_zalo(delivery, template_id)


def _claim(*, delivery_id: int, now: dt.datetime, force: bool) -> Delivery | None:
    return attempt_claim(
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING),
        now=now,
        force=force,
        base_seconds=BACKOFF_BASE_SECONDS,
    )


def delivery_attempt(
    *, delivery_id: int, now: dt.datetime | None = None, force: bool = False
) -> Delivery | None:
    """Send one due delivery once and log the outcome.

    Accepted: marked sent with the provider's message id. `ChannelRejected`
    (permanent): marked failed with the provider's words, never retried; a
    Zalo message to a number without Zalo goes again by SMS.
    `ChannelUnavailable`: the next attempt is scheduled with exponential
    backoff, up to MAX_ATTEMPTS, then the row is marked failed."""
    now = now or timezone.now()
    delivery = _claim(delivery_id=delivery_id, now=now, force=force)
    if delivery is None:
        return None
    fields: dict = {}
    error: ChannelError | None = None
    try:
        provider_id = _send(delivery)
    except ChannelError as exc:
        error = exc
        fields["last_error"] = _error_text(exc)[:300]
    if error is None:
        fields |= {
            "status": DeliveryStatus.SENT,
            "provider_message_id": provider_id[:100],
            "sent_at": timezone.now(),
            "next_attempt_at": None,
            "last_error": "",
        }
    elif isinstance(error, ChannelRejected) or delivery.attempts >= MAX_ATTEMPTS:
        fields |= {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
        logger.warning("Notification %s failed: %s", delivery.pk, error)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    if delivery.status == DeliveryStatus.PENDING:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    elif (
        isinstance(error, ChannelRejected)
        and delivery.channel == Channel.ZALO
        and error.code in ZNS_NO_ACCOUNT
        and sms_configured()
    ):
        _fallback_to_sms(delivery)
    return delivery


def _error_text(error: ChannelError) -> str:
    """What the log says: plain words first, the provider's code and words
    after (for the operator or the provider's support)."""
    if isinstance(error, TokenExpired):
        lead = _("Khóa Zalo hết hạn, sẽ gửi lại khi có khóa mới")
    elif isinstance(error, ChannelUnavailable):
        lead = _("Tạm thời chưa gửi được, sẽ tự gửi lại")
    else:
        lead = _("Nhà mạng từ chối, không gửi lại")
    return f"{lead} — {error}"


def _fallback_to_sms(delivery: Delivery) -> None:
    from .messages import Message as _Message
    from .sms import SmsText

    message = _Message(
        kind=delivery.kind,
        subject="",
        body="",
        sms=SmsText(delivery.text, unicode=delivery.unicode),
        zalo={},
    )
    _create(
        key=_key(f"{delivery.key}~sms", Channel.SMS, delivery.recipient),
        seller=delivery.seller,
        channel=Channel.SMS,
        recipient=delivery.recipient,
        message=message,
    )


def deliveries_retry_due(*, now: dt.datetime | None = None) -> int:
    """Attempt every pending delivery whose time has come; returns how many
    were tried (run every minute: `manage.py retry_notifications`)."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        delivery_attempt(delivery_id=pk, now=now)
    return len(due)
