"""Admin users for the traceability staff view tests."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from market.services.sellers import operator_group_ensure
from tests.factories import UserFactory


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
    """The market operator as in production: the operator group, no superuser."""
    user = _admin_user()
    user.groups.add(operator_group_ensure())
    return user
