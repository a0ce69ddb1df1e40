"""Seller lifecycle: applications, approval, store provisioning, the groups.

Who counts as operator, seller staff or partner staff is decided in
`market.access`; this module writes the groups and permissions behind it:

* the operator group ("Người vận hành chợ", `operator_group_ensure`) reviews
  applications and certificates, approves page moderation tasks and holds
  every app's operator permissions (`market.access.OPERATOR_MODEL_PERMISSIONS`);
* each seller has its own group whose page permissions cover only its store
  subtree (add + change, never publish), whose collection permissions cover
  only its own image/document collection, and whose model permissions let it
  keep its own certificates (rows are filtered to the seller in the admin);
* every page under the market index goes through the "Duyệt sản phẩm"
  workflow, so a farmer's edit goes live only after the operator approves it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from market.access import OPERATOR_GROUP_NAME, OPERATOR_MODEL_PERMISSIONS
from market.models import (
    ApplicationStatus,
    Certification,
    MarketIndexPage,
    Seller,
    SellerApplication,
    StorePage,
)
from market.slugs import vietnamese_slug

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "Duyệt sản phẩm"
TASK_NAME = "Người vận hành chợ duyệt"
REVIEW_CERTIFICATION = "review_certification"

# Page permissions of a seller's group on its own store page (and therefore
# every product under it). No "publish": publishing goes through moderation.
SELLER_PAGE_PERMISSIONS = ("add_page", "change_page")
OPERATOR_PAGE_PERMISSIONS = (
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
)
# (app_label, codename) per collection, for images and documents.
SELLER_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)
OPERATOR_COLLECTION_PERMISSIONS = (
    *SELLER_COLLECTION_PERMISSIONS,
    ("wagtailimages", "delete_image"),
    ("wagtaildocs", "delete_document"),
)
# Model permissions a seller's group holds. The admin views of these models
# filter rows to `request.user.sellers`, so the permission alone never shows
# another seller's row.
SELLER_MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("market", "add_certification"),
    ("market", "change_certification"),
    ("market", "view_certification"),
    ("market", "delete_certification"),
)

_APPLICATION_TRANSITIONS = {
    ApplicationStatus.PENDING: {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED},
    # The operator may change their mind after a rejection (papers sent later).
    ApplicationStatus.REJECTED: {ApplicationStatus.APPROVED},
    ApplicationStatus.APPROVED: set(),
}


class MarketNotSetUp(RuntimeError):
    """There is no market index page to hang stores under."""


class ApplicationTransitionError(ValidationError):
    """The application cannot move to the requested status."""


@dataclass(frozen=True)
class ApprovalResult:
    seller: Seller
    store: StorePage
    username: str
    # Set only when this approval created the login; shown once to the operator.
    password: str | None


# --- applications --------------------------------------------------------------


def seller_application_submit(
    *,
    kind: str,
    legal_name: str,
    tax_code: str,
    contact_name: str,
    phone: str,
    email: str,
    province_code: int,
    ward_code: int,
    address_line: str,
    bank_bin: str,
    bank_account_number: str,
    bank_account_name: str,
) -> SellerApplication:
    """Store a new application with a secret status link.

    The application is always PENDING with a fresh unguessable token; the
    operator is told by e-mail, and so is the applicant if they gave one.
    """
    application = SellerApplication(
        kind=kind,
        legal_name=legal_name.strip(),
        tax_code=tax_code,
        contact_name=contact_name.strip(),
        phone=phone,
        email=email,
        province_code=province_code,
        ward_code=ward_code,
        address_line=address_line.strip(),
        bank_bin=bank_bin,
        bank_account_number=bank_account_number,
        bank_account_name=bank_account_name.strip().upper(),
        access_token=secrets.token_urlsafe(32),
    )
    application.full_clean()
    with transaction.atomic():
        application.save()
        transaction.on_commit(lambda: _mail_application_received(application))
    return application


def seller_application_status_url(application: SellerApplication) -> str:
    return settings.SITE_URL + reverse(
        "seller_application_status", kwargs={"token": application.access_token}
    )


def _check_transition(application: SellerApplication, target: str) -> None:
    if target not in _APPLICATION_TRANSITIONS[ApplicationStatus(application.status)]:
        raise ApplicationTransitionError(
            _(
                "Hồ sơ đang ở trạng thái “%(status)s”, "
                "không thể chuyển sang “%(target)s”."
            )
            % {
                "status": application.get_status_display(),
                "target": ApplicationStatus(target).label,
            }
        )


@transaction.atomic
def seller_application_approve(
    *, application: SellerApplication, reviewer
) -> ApprovalResult:
    """Approve an application: seller, store, group, collection and login.

    Idempotent: approving an already approved application returns the same
    seller and store and creates nothing new (and no new password).
    """
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status == ApplicationStatus.APPROVED and application.seller_id:
        seller = application.seller
        store = seller_provision(seller=seller)
        login = seller.users.order_by("pk").first()
        return ApprovalResult(seller, store, login.username if login else "", None)
    _check_transition(application, ApplicationStatus.APPROVED)
    if Seller.objects.filter(tax_code=application.tax_code).exists():
        raise ApplicationTransitionError(
            _("Mã số thuế %(code)s đã có cửa hàng trên chợ.")
            % {"code": application.tax_code}
        )
    seller = Seller.objects.create(
        kind=application.kind,
        legal_name=application.legal_name,
        tax_code=application.tax_code,
        phone=application.phone,
        email=application.email,
        province_code=application.province_code,
        ward_code=application.ward_code,
        address_line=application.address_line,
        bank_bin=application.bank_bin,
        bank_account_number=application.bank_account_number,
        bank_account_name=application.bank_account_name,
    )
    user, password = _seller_login_create(application)
    seller.users.add(user)
    store = seller_provision(seller=seller)

    application.status = ApplicationStatus.APPROVED
    application.seller = seller
    application.rejection_reason = ""
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.save(
        update_fields=[
            "status",
            "seller",
            "rejection_reason",
            "reviewed_by",
            "reviewed_at",
        ]
    )
    transaction.on_commit(
        lambda: _mail_application_approved(application, user.username, password)
    )
    return ApprovalResult(seller, store, user.username, password)


@transaction.atomic
def seller_application_reject(
    *, application: SellerApplication, reviewer, reason: str
) -> SellerApplication:
    """Reject an application with a reason the applicant sees on the status page.

    A rejection without a reason is refused: the applicant must learn what to
    fix. Rejecting an already rejected application updates the reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Hãy ghi lý do từ chối để người nộp biết cần sửa gì.")}
        )
    application = SellerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.REJECTED:
        _check_transition(application, ApplicationStatus.REJECTED)
    application.status = ApplicationStatus.REJECTED
    application.rejection_reason = reason
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.save(
        update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"]
    )
    transaction.on_commit(lambda: _mail_application_rejected(application))
    return application


def _seller_login_create(application: SellerApplication):
    """The farmer's login: username = phone number. An existing account with that
    username (one person, two stores) is reused and keeps its password."""
    User = get_user_model()
    user = User.objects.filter(username=application.phone).first()
    if user is not None:
        return user, None
    password = seller_password_generate()
    first, _sep, last = application.contact_name.rpartition(" ")
    user = User(
        username=application.phone,
        email=application.email,
        first_name=first[:150],
        last_name=last[:150],
        is_staff=False,
        is_superuser=False,
    )
    user.set_password(password)
    user.save()
    return user, password


def seller_password_generate() -> str:
    """Easy to read aloud over the phone: four groups of lower-case letters and
    digits without look-alikes (no 0/o, 1/l/i)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


# --- provisioning --------------------------------------------------------------


@transaction.atomic
def seller_provision(*, seller: Seller) -> StorePage:
    """Give a seller its store page, group, collection and permissions.

    Idempotent: running it again creates nothing new. After it returns the
    seller has exactly one StorePage, one group holding exactly the seller's
    permissions (page permissions only on its own store), one collection, and
    every one of `seller.users` is in that group.
    """
    store = _store_ensure(seller)
    group = _seller_group_ensure(seller)
    collection = _seller_collection_ensure(seller)
    _page_permissions_ensure(group, store, SELLER_PAGE_PERMISSIONS)
    _collection_permissions_ensure(group, collection, SELLER_COLLECTION_PERMISSIONS)
    group.permissions.add(*_permissions(SELLER_MODEL_PERMISSIONS))
    for user in seller.users.all():
        user.groups.add(group)
    market_workflow_ensure()
    _collection_private_ensure(collection, [group, operator_group_ensure()])
    return store


def _collection_private_ensure(collection: Collection, groups: list[Group]) -> None:
    """Documents in a seller's collection (certificate scans carry names and
    addresses) are served only to the seller's group and the operator. The
    public sees the approved badge, not the scan."""
    restriction, _created = CollectionViewRestriction.objects.get_or_create(
        collection=collection,
        defaults={"restriction_type": CollectionViewRestriction.GROUPS},
    )
    restriction.groups.add(*groups)


def _store_ensure(seller: Seller) -> StorePage:
    existing = StorePage.objects.filter(seller=seller).first()
    if existing is not None:
        return existing
    market = MarketIndexPage.objects.first()
    if market is None:
        raise MarketNotSetUp(
            "There is no market page: run `manage.py migrate`, it creates one."
        )
    slug = vietnamese_slug(seller.legal_name) or f"cua-hang-{seller.pk}"
    if StorePage.objects.filter(slug=slug).exists():
        slug = f"{slug}-{seller.pk}"
    store = StorePage(title=seller.legal_name, slug=slug, seller=seller)
    market.add_child(instance=store)
    store.save_revision().publish()
    return store


def _seller_group_ensure(seller: Seller) -> Group:
    if seller.group_id:
        return seller.group
    # The tax code is unique and never changes, so it names the group.
    group, _created = Group.objects.get_or_create(name=f"Người bán {seller.tax_code}")
    seller.group = group
    seller.save(update_fields=["group"])
    return group


def _seller_collection_ensure(seller: Seller) -> Collection:
    if seller.collection_id:
        return seller.collection
    root = Collection.get_first_root_node()
    name = f"{seller.legal_name} ({seller.tax_code})"
    collection = root.get_children().filter(name=name).first()
    if collection is None:
        collection = root.add_child(instance=Collection(name=name))
    seller.collection = collection
    seller.save(update_fields=["collection"])
    return collection


def _permissions(pairs) -> list[Permission]:
    found = []
    for app_label, codename in pairs:
        if codename == REVIEW_CERTIFICATION:
            found.append(_review_certification_permission())
            continue
        found.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return found


def _review_certification_permission() -> Permission:
    # Kept out of Certification.Meta so the catalogue schema needs no migration.
    permission, _created = Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(Certification),
        codename=REVIEW_CERTIFICATION,
        defaults={"name": "Can review certification"},
    )
    return permission


def _page_permissions_ensure(group: Group, page: Page, codenames) -> None:
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=page,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )


def _collection_permissions_ensure(group: Group, collection, pairs) -> None:
    for permission in _permissions(pairs):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


@transaction.atomic
def market_workflow_ensure() -> Workflow | None:
    """The operator group and the "Duyệt sản phẩm" moderation workflow on the
    market index page, so every store and product page under it is approved
    by the operator before it goes live. Idempotent; None without a market."""
    operator_group = operator_group_ensure()
    market = MarketIndexPage.objects.first()
    if market is None:
        return None
    workflow, _created = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(operator_group)
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    WorkflowPage.objects.update_or_create(page=market, defaults={"workflow": workflow})
    _page_permissions_ensure(operator_group, market, OPERATOR_PAGE_PERMISSIONS)
    return workflow


def operator_group_ensure() -> Group:
    """The "Người vận hành chợ" group holding every app's operator permissions
    (`market.access.OPERATOR_MODEL_PERMISSIONS`) and the operator's collection
    permissions. Idempotent; call it after `migrate` (the permissions must
    exist) and whenever the table grows."""
    group, _created = Group.objects.get_or_create(name=OPERATOR_GROUP_NAME)
    group.permissions.add(*_permissions(OPERATOR_MODEL_PERMISSIONS))
    root = Collection.get_first_root_node()
    _collection_permissions_ensure(group, root, OPERATOR_COLLECTION_PERMISSIONS)
    return group


# --- mail ------------------------------------------------------------------------


def _send(subject: str, body: str, to: list[str]) -> None:
    to = [address for address in to if address]
    if not to:
        return
    try:
        send_mail(subject, body, None, to)
    except OSError:
        # The application is saved either way; the status link still works.
        logger.exception("Could not send mail %r to %s", subject, to)


def _mail_application_received(application: SellerApplication) -> None:
    link = seller_application_status_url(application)
    _send(
        _("Nguồn Quê đã nhận hồ sơ mở cửa hàng"),
        _(
            "Chào %(name)s,\n\nNguồn Quê đã nhận hồ sơ mở cửa hàng của %(legal)s. "
            "Xem tình trạng hồ sơ tại:\n%(link)s\n\nGiữ kín đường dẫn này."
        )
        % {
            "name": application.contact_name,
            "legal": application.legal_name,
            "link": link,
        },
        [application.email],
    )
    _send(
        _("Hồ sơ mở cửa hàng mới: %(legal)s") % {"legal": application.legal_name},
        _("Có hồ sơ mới chờ duyệt: %(legal)s, MST %(code)s.\n%(admin)s")
        % {
            "legal": application.legal_name,
            "code": application.tax_code,
            "admin": settings.WAGTAILADMIN_BASE_URL + "/admin/",
        },
        [settings.OPERATOR_EMAIL],
    )


def _mail_application_approved(application, username: str, password: str | None):
    body = _(
        "Chào %(name)s,\n\nCửa hàng %(legal)s đã được duyệt. Đăng nhập để đăng sản "
        "phẩm tại %(admin)s\nTên đăng nhập: %(username)s\n"
        "Trên điện thoại, việc hằng ngày (đóng gói đơn, đếm hàng, ghi nhật ký, "
        "in tem, xem tiền) ở trang nhẹ %(farmer)s\n"
    ) % {
        "name": application.contact_name,
        "legal": application.legal_name,
        "admin": settings.WAGTAILADMIN_BASE_URL + "/admin/",
        "farmer": settings.WAGTAILADMIN_BASE_URL + "/nong-dan/",
        "username": username,
    }
    if password:
        body += _(
            "Mật khẩu tạm: %(password)s\nHãy đổi mật khẩu ngay sau khi vào.\n"
        ) % {"password": password}
    _send(_("Cửa hàng của bạn trên Nguồn Quê đã mở"), body, [application.email])


def _mail_application_rejected(application: SellerApplication) -> None:
    _send(
        _("Hồ sơ mở cửa hàng chưa được duyệt"),
        _("Chào %(name)s,\n\nHồ sơ chưa được duyệt vì: %(reason)s\n\nXem tại: %(link)s")
        % {
            "name": application.contact_name,
            "reason": application.rejection_reason,
            "link": seller_application_status_url(application),
        },
        [application.email],
    )
