"""Certifications: farmer uploads, operator review, expiry reminders.

A certification is shown as a badge only while APPROVED and in date. Any
change by the seller sends it back to PENDING, so the operator has seen every
version that was ever shown as approved.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from market.models import (
    Certification,
    CertificationKind,
    ProductPage,
    ReviewStatus,
    Seller,
    ocop_valid_until,
)
from market.notifications.events import certificates_expiring_notify
from market.services.catalogue import (
    product_refresh_summary,
    seller_refresh_summaries,
)

logger = logging.getLogger(__name__)

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
EXPIRY_WARNING_DAYS = 30
VIETGAP_MAX_YEARS = 3
# Fields a seller fills in; everything else is the operator's.
SELLER_FIELDS = (
    "product",
    "kind",
    "number",
    "issuer",
    "ocop_level",
    "stars",
    "scope",
    "issued_on",
    "valid_until",
)
_PDF, _JPEG, _PNG, _WEBP = "pdf", "jpeg", "png", "webp"


class CertificationError(ValidationError):
    """A certification that breaks a rule the seller can fix."""


# --- the scanned document ------------------------------------------------------


def certification_document_check(*, upload: UploadedFile) -> str:
    """The scan's real type from its content ("pdf", "jpeg", "png" or "webp").

    The file name and the browser's content type are ignored: a renamed
    executable or HTML page is refused, and so is anything over 10 MB.
    """
    if upload.size > DOCUMENT_MAX_BYTES:
        raise CertificationError(
            _("Tệp quá lớn (tối đa 10 MB). Hãy chụp lại với độ phân giải thấp hơn.")
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = _sniff(head)
    if kind is None:
        raise CertificationError(
            _("Chỉ nhận tệp PDF hoặc ảnh JPG, PNG, WebP. Hãy chụp hoặc quét lại giấy.")
        )
    if kind != _PDF:
        _image_check(upload)
    return kind


def _image_check(upload: UploadedFile) -> None:
    """A photo that opens, and no bigger than WAGTAILIMAGES_MAX_IMAGE_PIXELS:
    a decompression bomb (a small PNG that unpacks to gigabytes) is refused
    from its header, before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError(f"{width}x{height}")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise CertificationError(
            _(
                "Ảnh có quá nhiều điểm ảnh (tối đa %(megapixels)s triệu). "
                "Hãy chụp lại với cỡ ảnh nhỏ hơn."
            )
            % {"megapixels": settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS // 1_000_000}
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise CertificationError(
            _("Ảnh bị hỏng, không mở được. Hãy chụp lại giấy chứng nhận.")
        ) from error
    finally:
        upload.seek(0)


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return _PDF
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    return None


def _scan_attach(*, certification: Certification, upload: UploadedFile) -> None:
    """Check the scan and store it in the private storage under a random name
    (the uploaded name often holds the farmer's name or phone number)."""
    kind = certification_document_check(upload=upload)
    certification.scan.save(f"scan.{kind}", upload, save=False)


def _scan_remove(name: str) -> None:
    Certification._meta.get_field("scan").storage.delete(name)


# --- rules on the fields ---------------------------------------------------------


def _check_fields(*, seller: Seller, data: dict) -> dict:
    data = dict(data)
    product = data.get("product")
    if product is not None and product.seller_id != seller.pk:
        raise CertificationError(
            {"product": _("Sản phẩm này không thuộc cửa hàng của bạn.")}
        )
    kind = data.get("kind")
    if kind == CertificationKind.OCOP:
        _check_ocop(data)
    elif kind == CertificationKind.VIETGAP:
        _check_vietgap(data)
    else:
        data["stars"] = None
        data["ocop_level"] = ""
    return data


def _check_ocop(data: dict) -> None:
    errors = {}
    if data.get("stars") not in (3, 4, 5):
        errors["stars"] = _("Sản phẩm OCOP cần có số sao: 3, 4 hoặc 5.")
    if not data.get("issued_on"):
        errors["issued_on"] = _("Hãy ghi ngày cấp in trên giấy chứng nhận OCOP.")
    if not data.get("ocop_level"):
        errors["ocop_level"] = _("Hãy chọn cấp đánh giá (tỉnh hay quốc gia).")
    if errors:
        raise CertificationError(errors)
    # OCOP results are valid for 36 months from issue, whatever was typed.
    data["valid_until"] = ocop_valid_until(data["issued_on"])


def _check_vietgap(data: dict) -> None:
    errors = {}
    if not data.get("issuer"):
        errors["issuer"] = _("Hãy ghi tổ chức chứng nhận VietGAP.")
    if not data.get("scope"):
        errors["scope"] = _("Hãy ghi phạm vi chứng nhận (loại cây, con, diện tích).")
    valid_until, issued_on = data.get("valid_until"), data.get("issued_on")
    if not valid_until:
        errors["valid_until"] = _("Hãy ghi ngày hết hiệu lực in trên giấy VietGAP.")
    elif issued_on and valid_until > _add_years(issued_on, VIETGAP_MAX_YEARS):
        errors["valid_until"] = _(
            "Giấy VietGAP có hiệu lực tối đa 3 năm từ ngày cấp. Hãy kiểm tra lại ngày."
        )
    if errors:
        raise CertificationError(errors)
    data["stars"] = None
    data["ocop_level"] = ""


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- use cases ---------------------------------------------------------------------


def certification_submit(
    *, seller: Seller, user, data: dict, upload: UploadedFile | None
) -> Certification:
    """A seller adds a certification; it waits for the operator's review.

    Rules kept: the product (if any) is the seller's own; OCOP has 3 to 5 stars
    and is valid 36 months from issue; VietGAP names its body, scope and end
    date (at most 3 years); a scanned document of a checked type is required.
    """
    if upload is None:
        raise CertificationError(
            {"scan": _("Hãy chọn ảnh chụp hoặc bản quét giấy chứng nhận.")}
        )
    data = _check_fields(seller=seller, data=data)
    certification = Certification(seller=seller, status=ReviewStatus.PENDING)
    for field in SELLER_FIELDS:
        setattr(certification, field, data.get(field) or _blank(field))
    certification.full_clean(exclude=["scan"])
    _scan_attach(certification=certification, upload=upload)
    with transaction.atomic():
        certification.save()
        transaction.on_commit(lambda: _mail_operator_new(certification))
    return certification


def certification_update(
    *, certification: Certification, user, data: dict, upload: UploadedFile | None
) -> Certification:
    """A seller corrects a certification: it goes back to PENDING for review and
    its expiry reminder is reset (the dates may have changed)."""
    data = _check_fields(seller=certification.seller, data=data)
    with transaction.atomic():
        certification = Certification.objects.select_for_update().get(
            pk=certification.pk
        )
        for field in SELLER_FIELDS:
            setattr(certification, field, data.get(field) or _blank(field))
        certification.full_clean(exclude=["scan"])
        if upload is not None:
            replaced = certification.scan.name
            _scan_attach(certification=certification, upload=upload)
            if replaced:
                transaction.on_commit(lambda: _scan_remove(replaced))
        certification.status = ReviewStatus.PENDING
        certification.review_note = ""
        certification.reviewed_by = None
        certification.reviewed_at = None
        certification.expiry_notified_on = None
        certification.save()
        _refresh_products(certification)
        transaction.on_commit(lambda: _mail_operator_new(certification))
    return certification


def _blank(field: str):
    return "" if field in {"number", "issuer", "ocop_level", "scope", "kind"} else None


@transaction.atomic
def certification_approve(
    *, certification: Certification, reviewer, note: str = ""
) -> Certification:
    """The operator approves: the badge shows (while in date) from now on."""
    return _review(certification, reviewer, ReviewStatus.APPROVED, note.strip())


@transaction.atomic
def certification_reject(
    *, certification: Certification, reviewer, note: str
) -> Certification:
    """The operator rejects, always with a note that tells the seller what to fix."""
    note = (note or "").strip()
    if not note:
        raise CertificationError(
            {"note": _("Hãy ghi lý do từ chối để người bán biết cần sửa gì.")}
        )
    return _review(certification, reviewer, ReviewStatus.REJECTED, note)


def _review(certification, reviewer, status, note) -> Certification:
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    certification.status = status
    certification.review_note = note
    certification.reviewed_by = reviewer
    certification.reviewed_at = timezone.now()
    certification.save(
        update_fields=["status", "review_note", "reviewed_by", "reviewed_at"]
    )
    _refresh_products(certification)
    transaction.on_commit(lambda: _mail_seller_reviewed(certification))
    return certification


def certification_delete(*, certification: Certification) -> None:
    """Remove a certification and refresh the badges it fed."""
    with transaction.atomic():
        scan = certification.scan.name
        certification.delete()
        _refresh_products(certification)
        if scan:
            transaction.on_commit(lambda: _scan_remove(scan))


def _refresh_products(certification: Certification) -> None:
    """Keep the products' OCOP / VietGAP summary fields in step."""
    if certification.product_id:
        product = ProductPage.objects.filter(pk=certification.product_id).first()
        if product is not None:
            product_refresh_summary(product=product)
    else:
        seller_refresh_summaries(seller=certification.seller)


# --- expiry reminders ----------------------------------------------------------


def certifications_notify_expiring(
    *, today: dt.date | None = None, within_days: int = EXPIRY_WARNING_DAYS
) -> int:
    """Tell each seller once (on the channel they chose: e-mail, SMS or Zalo)
    about approved certificates that expire within `within_days` days. A
    certificate is marked the moment it is included, so running twice (or on
    two workers) never sends a second reminder for it. Returns the number of
    certificates included."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=within_days)
    with transaction.atomic():
        due = list(
            Certification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=ReviewStatus.APPROVED,
                valid_until__gte=today,
                valid_until__lte=horizon,
                expiry_notified_on__isnull=True,
            )
            .select_related("seller", "product")
            .order_by("pk")
        )
        if not due:
            return 0
        Certification.objects.filter(pk__in=[c.pk for c in due]).update(
            expiry_notified_on=today
        )
        by_seller: dict[Seller, list[Certification]] = defaultdict(list)
        for certification in due:
            by_seller[certification.seller].append(certification)
        for seller, items in by_seller.items():
            transaction.on_commit(
                lambda seller=seller, items=items: certificates_expiring_notify(
                    seller=seller, items=items
                )
            )
    return len(due)


# --- mail ------------------------------------------------------------------------


def _seller_addresses(seller: Seller) -> list[str]:
    addresses = {seller.email} | {user.email for user in seller.users.all()}
    return sorted(address for address in addresses if address)


def _send(subject: str, body: str, to: list[str]) -> None:
    if not to:
        return
    try:
        send_mail(subject, body, None, to)
    except OSError:
        logger.exception("Could not send mail %r to %s", subject, to)


def _mail_operator_new(certification: Certification) -> None:
    _send(
        _("Chứng nhận mới chờ duyệt: %(cert)s") % {"cert": certification},
        _("%(seller)s gửi %(cert)s. Xem và duyệt tại %(admin)s")
        % {
            "seller": certification.seller.legal_name,
            "cert": certification,
            "admin": settings.WAGTAILADMIN_BASE_URL + "/admin/",
        },
        [settings.OPERATOR_EMAIL],
    )


def _mail_seller_reviewed(certification: Certification) -> None:
    if certification.status == ReviewStatus.APPROVED:
        subject = _("Chứng nhận %(cert)s đã được duyệt") % {"cert": certification}
        body = _("Huy hiệu %(cert)s đã hiện trên trang sản phẩm.") % {
            "cert": certification
        }
    else:
        subject = _("Chứng nhận %(cert)s chưa được duyệt") % {"cert": certification}
        body = _("Lý do: %(note)s\nHãy sửa và gửi lại trong trang quản lý.") % {
            "note": certification.review_note
        }
    _send(subject, body, _seller_addresses(certification.seller))
