"""The admin's side of `market.access`: one permission policy per kind of row
and one viewset base that makes every view of a viewset ask it.

* `OperatorOnlyPolicy`: rows only the market operator works with (orders,
  payments, partners, parcels, sellers…); `actions` is what they may do.
* `SellerScopedPolicy`: rows that belong to a seller (certificates, farms,
  lots, shipments). The operator sees every row, seller staff only their own
  sellers' rows, anyone else nothing.
* `ScopedViewSetMixin`: put it first in a `ModelViewSet`'s bases. Every view
  the viewset builds (index, inspect, edit, copy, delete, history, usage and
  any view Wagtail adds later) loads rows only from the policy's
  `instances_user_has_any_permission_for`, so a row that is not the user's
  answers 404, the same as a row that does not exist; a view the user may
  not use at all answers Wagtail's "permission denied".
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.base import BasePermissionPolicy

from market.access import sellers_of, user_is_operator, user_seller_ids
from market.staff.pages import HOME_CRUMB, AdminPageMixin

ANY_ACTION = ("add", "change", "delete", "view")
EDITABLE = frozenset(ANY_ACTION)


class _RolePolicy(BasePermissionPolicy):
    """Shared by the policies below: nobody is listed as "users with the
    permission" (roles are not model permissions), and instance checks go
    through the scoped queryset."""

    def users_with_any_permission(self, actions):
        return get_user_model().objects.none()

    def user_has_any_permission(self, user, actions) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return (
            self.instances_user_has_any_permission_for(user, actions)
            .filter(pk=instance.pk)
            .exists()
        )


class OperatorOnlyPolicy(_RolePolicy):
    """Only the market operator works with these rows; `actions` is what
    they may do ("view", "add", "change", "delete")."""

    def __init__(self, model, actions=frozenset({"view"})):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action) -> bool:
        return action in self.actions and user_is_operator(user)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if self.user_has_any_permission(user, actions):
            return queryset
        return queryset.none()


class SellerScopedPolicy(_RolePolicy):
    """Rows owned by a seller, reached from the model by `seller_field` (a
    lookup such as "seller" or "farm__seller"). `actions` are allowed to the
    operator on every row and to seller staff on their own sellers' rows."""

    def __init__(self, model, *, seller_field: str, actions):
        super().__init__(model)
        self.seller_field = seller_field
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action) -> bool:
        if action not in self.actions:
            return False
        ids = user_seller_ids(user)
        return ids is None or bool(ids)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        ids = user_seller_ids(user)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.seller_field}__in": ids})


class ScopedViewMixin:
    """Mixed into every view of a `ScopedViewSetMixin` viewset (see above).

    A view whose URL names a row checks it before anything else (before
    Wagtail's own permission check, and whether the view loads the row in
    `setup`, `dispatch` or `get_object`): not the user's row, 404.
    """

    def scoped_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ANY_ACTION
        )

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if queryset.model is not self.permission_policy.model:
            return queryset  # the history view lists log entries of one row
        return queryset.filter(pk__in=self.scoped_queryset().values("pk"))

    def row_check(self) -> None:
        pk = self.kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
        if pk is None or getattr(self, "_row_checked", False):
            return
        if not self.permission_policy.user_has_any_permission(
            self.request.user, ANY_ACTION
        ):
            raise PermissionDenied
        if not self.scoped_queryset().filter(pk=unquote(str(pk))).exists():
            raise Http404
        self._row_checked = True

    def dispatch(self, request, *args, **kwargs):
        self.row_check()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, *args, **kwargs):
        self.row_check()
        return super().get_object(*args, **kwargs)

    def get_breadcrumbs_items(self):
        # Wagtail's first crumb reads "Trang Chủ"; Vietnamese writes "Trang chủ".
        items = super().get_breadcrumbs_items()
        if items and str(items[0].get("url")) == str(HOME_CRUMB["url"]):
            items = [HOME_CRUMB, *items[1:]]
        return items

    def get_field_display_value(self, field_name, field):
        # Inspect views: an empty value reads "—", not "None".
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None else value


class ScopedViewSetMixin:
    """First base of a `ModelViewSet`: every view it constructs gets
    `ScopedViewMixin`, so none can load a row the policy does not give."""

    def construct_view(self, view_class, **kwargs):
        if not issubclass(view_class, ScopedViewMixin):
            view_class = type(
                f"Scoped{view_class.__name__}", (ScopedViewMixin, view_class), {}
            )
        return super().construct_view(view_class, **kwargs)


class OperatorMenuItem(MenuItem):
    """A menu entry shown only to the market operator."""

    def is_shown(self, request):
        return user_is_operator(request.user)


class StoreStaffViewMixin(AdminPageMixin):
    """An admin page (catalogue import, stock) for users with at least one
    store, and the operator."""

    def dispatch(self, request, *args, **kwargs):
        if not sellers_of(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StoreStaffMenuItem(MenuItem):
    """A menu entry shown only to users with at least one store."""

    def is_shown(self, request):
        return sellers_of(request.user).exists()
