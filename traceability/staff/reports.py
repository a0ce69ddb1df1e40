"""Admin: shoppers' problem reports from the scan page (operator: all;
a seller's staff: reports about their own lots), with "mark handled"."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from market.staff.pages import AdminPageMixin
from traceability.services.scans import (
    problem_report_mark_handled,
    problem_reports_visible_to,
)


class ReportIndexView(AdminPageMixin, TemplateView):
    template_name = "traceability/staff/reports.html"
    page_title = _("Phản ánh của người mua")
    header_icon = "mail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = problem_reports_visible_to(user=self.request.user).order_by(
            "handled_at", "-created_at"
        )
        context["page_obj"] = Paginator(reports, 50).get_page(self.request.GET.get("p"))
        return context

    def post(self, request, *args, **kwargs):
        report = get_object_or_404(
            problem_reports_visible_to(user=request.user), pk=request.POST.get("report")
        )
        problem_report_mark_handled(report=report, user=request.user)
        messages.success(request, _("Đã đánh dấu là đã xử lý."))
        return redirect("traceability_reports")


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path(
            "truy-xuat/phan-anh/",
            ReportIndexView.as_view(),
            name="traceability_reports",
        )
    ]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return problem_reports_visible_to(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_report_menu_item():
    return ReportMenuItem(
        _("Phản ánh của người mua"),
        reverse("traceability_reports"),
        icon_name="mail",
        order=650,
    )
