"""Admin users for the traceability staff view tests."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from market.access import OPERATOR_GROUP_NAME
from tests.traceability.factories import UserFactory


def _admin_user():
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    return user


def farmer_of(seller):
    """A seller's staff member who can log in to the admin."""
    user = _admin_user()
    seller.users.add(user)
    return user


def operator_user():
    user = _admin_user()
    user.groups.add(Group.objects.get_or_create(name=OPERATOR_GROUP_NAME)[0])
    return user
