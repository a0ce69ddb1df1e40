"""Who may do what with farms and lots in the admin.

Not Django model permissions: a seller's staff may work with the farms and
lots of their own seller(s) only, and the market operator with all of them.
Rows are filtered by the selectors (`farms_visible_to`, `lots_visible_to`),
so a farmer never sees, opens or downloads another farmer's rows, even by
typing a URL.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from wagtail.permission_policies.base import BasePermissionPolicy

from market.services.sellers import user_is_operator


def user_seller_ids(user) -> list[int] | None:
    """None for the operator (everything), else the ids of the user's sellers."""
    if not user.is_authenticated:
        return []
    if user_is_operator(user):
        return None
    return list(user.sellers.values_list("pk", flat=True))


class SellerScopedPolicy(BasePermissionPolicy):
    """`actions` are allowed to the operator and to staff of any seller; an
    instance only to the operator and staff of the instance's seller."""

    def __init__(self, model, *, actions: set[str], seller_of):
        super().__init__(model)
        self.actions = actions
        self.seller_of = seller_of  # instance → seller id

    def user_has_permission(self, user, action):
        if action not in self.actions or not user.is_authenticated:
            return False
        ids = user_seller_ids(user)
        return ids is None or bool(ids)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        ids = user_seller_ids(user)
        return ids is None or self.seller_of(instance) in ids

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.none()


class ScopedViewMixin:
    """Generic admin views that only ever load rows the user may see."""

    scope = None  # a selector: scope(user=...) -> QuerySet

    def get_base_queryset(self):
        return type(self).scope(user=self.request.user)

    def get_object(self, queryset=None):
        pk = getattr(self, "object_pk", None) or getattr(self, "pk", None)
        if pk is None:
            pk = self.kwargs[self.pk_url_kwarg]
        return get_object_or_404(self.get_base_queryset(), pk=unquote(str(pk)))


class ServiceCreateMixin:
    """A generic CreateView whose `save_instance` calls a service: the
    service's ValidationError goes back to the form instead of a 500."""

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as exc:
            form.add_error(None, exc)
            self.produced_error_message = " ".join(exc.messages)
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response
