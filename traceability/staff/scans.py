"""Admin: scans per day per lot and per product (a server-rendered SVG chart),
and, for the operator, the counterfeit signals from the scan log."""

from __future__ import annotations

from django import forms
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from market.access import user_is_operator
from market.staff.pages import AdminPageMixin
from traceability.charts import bar_chart_svg, day_series
from traceability.selectors import lots_visible_to
from traceability.selectors_scan import scan_limits
from traceability.selectors_stats import (
    counterfeit_signals,
    scan_counts_per_day,
    scan_totals_per_lot,
    scan_totals_per_product,
    stats_window,
)

PERIODS = [(7, _("7 ngày")), (30, _("30 ngày")), (90, _("90 ngày"))]


class StatsFilterForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Khoảng thời gian"), choices=PERIODS, coerce=int, required=False
    )
    product = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lot = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ScanStatsView(AdminPageMixin, TemplateView):
    template_name = "traceability/staff/scans.html"
    page_title = _("Lượt quét mã")
    header_icon = "view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = StatsFilterForm(self.request.GET or None)
        params = form.cleaned_data if form.is_valid() else {}
        days = params.get("days") or 30
        start, end = stats_window(days=days)
        lots = lots_visible_to(user=self.request.user)
        scope, scope_label = lots, _("Tất cả lô hàng")
        if params.get("product"):
            scope = lots.filter(variant__product_id=params["product"])
            scope_label = _("Một sản phẩm")
        if params.get("lot"):
            scope = lots.filter(pk=params["lot"])
            scope_label = _("Một lô")
        series = day_series(
            scan_counts_per_day(lots=scope, start=start), start=start, end=end
        )
        context.update(
            form=form,
            days=days,
            periods=PERIODS,
            scope_label=scope_label,
            total=sum(count for _day, count in series),
            chart=mark_safe(bar_chart_svg(series, label=str(scope_label))),  # noqa: S308 (escaped in charts)
            per_product=scan_totals_per_product(lots=lots, start=start),
            per_lot=scan_totals_per_lot(lots=lots, start=start)[:100],
            signals=counterfeit_signals(
                lots=None if user_is_operator(self.request.user) else lots,
                limits=scan_limits(),
                start=start,
            ),
            is_operator=user_is_operator(self.request.user),
            limits=scan_limits(),
        )
        return context


@hooks.register("register_admin_urls")
def register_scan_urls():
    return [
        path("truy-xuat/luot-quet/", ScanStatsView.as_view(), name="traceability_scans")
    ]


class ScanMenuItem(MenuItem):
    def is_shown(self, request):
        return lots_visible_to(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_scan_menu_item():
    return ScanMenuItem(
        _("Lượt quét mã"), reverse("traceability_scans"), icon_name="view", order=630
    )
