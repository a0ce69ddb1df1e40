"""Who is who: the three staff roles every app asks about, decided here once.

* **Operator** (the commune or market operator): an active superuser or an
  active member of the "Người vận hành chợ" group. Sees and runs everything:
  every seller's rows, orders, payments, parcels, partners.
* **Seller staff**: an active user in `Seller.users`. Works with the rows of
  their own seller(s) only.
* **Partner staff**: an active user in `Partner.staff` of an active post
  office. Works with that office's parcels (portal and API), nothing in the
  admin.

Reads only. The operator group and its permissions are written by
`market.services.sellers.operator_group_ensure`; the admin's permission
policies built on these roles are in `market.staff.access`.
"""

from __future__ import annotations

from django.db.models import QuerySet

from market.fulfilment.models import Partner
from market.models import Seller

OPERATOR_GROUP_NAME = "Người vận hành chợ"

# Django model permissions the operator group holds, per app. The admin's
# policies decide by role (above); these keep `user.has_perm` and Wagtail's
# own screens (group editor, reports) telling the same story.
OPERATOR_MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("market", "view_sellerapplication"),
    ("market", "change_sellerapplication"),
    ("market", "view_seller"),
    ("market", "change_seller"),
    ("market", "add_certification"),
    ("market", "change_certification"),
    ("market", "view_certification"),
    ("market", "delete_certification"),
    ("market", "review_certification"),
    ("checkout", "view_order"),
    ("checkout", "view_shipment"),
    ("checkout", "add_shippingtariff"),
    ("checkout", "change_shippingtariff"),
    ("checkout", "delete_shippingtariff"),
    ("checkout", "view_shippingtariff"),
    ("payments", "view_payment"),
    ("payments", "view_paymentevent"),
    ("payments", "view_banktransfer"),
    ("payments", "change_banktransfer"),
    ("fulfilment", "view_partner"),
    ("fulfilment", "add_partner"),
    ("fulfilment", "change_partner"),
    ("fulfilment", "delete_partner"),
    ("fulfilment", "view_partnerarea"),
    ("fulfilment", "add_partnerarea"),
    ("fulfilment", "change_partnerarea"),
    ("fulfilment", "delete_partnerarea"),
    ("fulfilment", "view_partnertoken"),
    ("fulfilment", "add_partnertoken"),
    ("fulfilment", "change_partnertoken"),
    ("fulfilment", "view_parcel"),
    ("fulfilment", "change_parcel"),
    ("fulfilment", "view_webhookendpoint"),
    ("fulfilment", "add_webhookendpoint"),
    ("fulfilment", "change_webhookendpoint"),
    ("fulfilment", "delete_webhookendpoint"),
    ("fulfilment", "view_webhookdelivery"),
    ("fulfilment", "change_webhookdelivery"),
    ("fulfilment", "view_ledgerentry"),
    ("fulfilment", "add_ledgerentry"),
    ("fulfilment", "view_taxrate"),
    ("fulfilment", "add_taxrate"),
    ("fulfilment", "change_taxrate"),
    ("fulfilment", "delete_taxrate"),
)


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_is_operator(user) -> bool:
    """The market operator: an active superuser or operator-group member."""
    if not _signed_in(user):
        return False
    return user.is_superuser or user.groups.filter(name=OPERATOR_GROUP_NAME).exists()


def user_seller_ids(user) -> list[int] | None:
    """None for the operator (every seller), else the ids of the user's own
    sellers (empty for anyone else, anonymous included)."""
    if not _signed_in(user):
        return []
    if user_is_operator(user):
        return None
    return list(user.sellers.values_list("pk", flat=True))


def sellers_of(user) -> QuerySet[Seller]:
    """Sellers whose rows this user may work with: every seller for the
    operator, their own for seller staff, none for anyone else."""
    ids = user_seller_ids(user)
    if ids is None:
        return Seller.objects.all()
    return Seller.objects.filter(pk__in=ids)


def user_is_seller_staff(user) -> bool:
    """Works for at least one seller (the operator is not seller staff)."""
    ids = user_seller_ids(user)
    return ids is not None and bool(ids)


def partners_of_user(*, user) -> QuerySet[Partner]:
    """The active post offices this user works for (none for the operator:
    they manage partners in the admin, they do not work for one)."""
    if not _signed_in(user):
        return Partner.objects.none()
    return Partner.objects.filter(staff=user, is_active=True)


def user_is_partner_staff(user) -> bool:
    return partners_of_user(user=user).exists()
