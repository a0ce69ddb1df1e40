"""Who may use the store staff pages of the admin (catalogue import, stock):
the logins of a store, for that store; the market operator, for all."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from market.models import Seller
from market.services.sellers import user_is_operator


def importable_sellers(user):
    """Sellers whose catalogue and stock this user may change: their own;
    every seller for the market operator."""
    if not user.is_authenticated:
        return Seller.objects.none()
    if user.is_superuser or user_is_operator(user):
        return Seller.objects.all()
    return user.sellers.all()


class StoreStaffViewMixin(WagtailAdminTemplateMixin):
    """An admin page for users with at least one store (see above)."""

    def dispatch(self, request, *args, **kwargs):
        if not importable_sellers(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


class StoreStaffMenuItem(MenuItem):
    """A menu entry shown only to users with at least one store."""

    def is_shown(self, request):
        return importable_sellers(request.user).exists()
