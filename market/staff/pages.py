"""The base of our hand-written admin pages (issue 13, item 8).

Wagtail's `WagtailAdminTemplateMixin` gives a page one breadcrumb, "Home",
which the admin's header shows where the page's title belongs: every such
page of ours read "Trang Chủ" (Wagtail's Vietnamese for "Home", with a
capital C Vietnamese does not use). Here the trail is "Trang chủ" (sentence
case, as Vietnamese writes it) followed by the page's own title."""

from __future__ import annotations

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

HOME_CRUMB = {"url": reverse_lazy("wagtailadmin_home"), "label": _("Trang chủ")}


class AdminPageMixin(WagtailAdminTemplateMixin):
    breadcrumbs_items = [HOME_CRUMB]

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]
