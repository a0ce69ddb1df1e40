"""The operator's side of tax withheld per sale (Decree 117/2025/NĐ-CP):
the rate table and the monthly report (a printable page and a CSV) that the
market declares to the tax office. Registered from `wagtail_hooks.py`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from market.access import user_is_operator
from market.staff.access import EDITABLE, OperatorOnlyPolicy, ScopedViewSetMixin

from .models import TaxRate
from .services.taxes import tax_month_csv, tax_month_rows

register_permission_policy(TaxRate, OperatorOnlyPolicy(TaxRate, EDITABLE))


class TaxRateViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "fulfilment_taxrate"
    url_prefix = "giao-hang/muc-thue"
    model = TaxRate
    icon = "form"
    menu_label = _("Mức thuế khấu trừ")
    copy_view_enabled = False
    list_display = ["activity", "vat_percent", "pit_percent", "valid_from", "source"]
    form_fields = ["activity", "vat_percent", "pit_percent", "valid_from", "source"]


class TaxMonthForm(forms.Form):
    month = forms.RegexField(
        label=_("Tháng"),
        regex=r"^\d{4}-\d{2}$",
        widget=forms.DateInput(attrs={"type": "month"}),
        error_messages={
            "invalid": _("Chọn tháng, ví dụ 2026-07."),
            "required": _("Chọn tháng cần kê khai."),
        },
    )

    def clean_month(self) -> tuple[int, int]:
        year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
        if not 1 <= month <= 12 or year < 2025:
            raise forms.ValidationError(_("Chọn một tháng từ 07/2025 trở đi."))
        return year, month


def tax_report_view(request):
    """Tax withheld in one month, per seller: the page prints as the
    declaration's appendix; `?format=csv` downloads the same rows."""
    if not user_is_operator(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = TaxMonthForm(request.GET or {"month": f"{today:%Y-%m}"})
    rows, period = [], None
    if form.is_valid():
        year, month = period = form.cleaned_data["month"]
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                tax_month_csv(year=year, month=month),
                content_type="text/csv; charset=utf-8",
            )
            name = f"thue-khau-tru-{year}-{month:02d}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        rows = tax_month_rows(year=year, month=month)
    return render(
        request,
        "fulfilment/admin/tax_report.html",
        {
            "form": form,
            "rows": rows,
            "period": period,
            "totals": {
                key: sum(row[key] for row in rows)
                for key in ("doanh_thu_vnd", "thue_gtgt_vnd", "thue_tncn_vnd")
            },
            "page_title": _("Thuế khấu trừ theo tháng"),
            "header_title": _("Thuế sàn khấu trừ, khai theo tháng"),
        },
    )
