"""Admin: a lot's Circular 02/2024/TT-BKHCN record — its inputs (one step
back: add one), and its exports for the National Traceability Portal (EPCIS
2.0 JSON-LD, CSV, a printable page). Scoped like the lot page: staff of the
lot's seller or the operator; anyone else gets 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from traceability.models import DiaryEntry, DiaryKind
from traceability.selectors import lots_visible_to
from traceability.selectors_trace import (
    lot_epcis_export,
    lot_trace_record,
    summary_csv,
    summary_rows,
)
from traceability.services.inputs import lot_input_add
from traceability.services.links import link_resolve

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LotInputForm(forms.Form):
    source_link = forms.CharField(
        label=gettext_lazy("Mã QR trên tem của bên bán (nếu mua trên Nguồn Quê)"),
        required=False,
        max_length=300,
        help_text=gettext_lazy(
            "Quét mã QR trên tem rồi dán đường dẫn vào đây: tên bên bán, mã số "
            "thuế và mã lô tự điền."
        ),
    )
    diary_entry = forms.ModelChoiceField(
        label=gettext_lazy("Ghi chép bón phân / phun thuốc trong nhật ký"),
        queryset=DiaryEntry.objects.none(),
        required=False,
    )
    product_name = forms.CharField(
        label=gettext_lazy("Tên nguyên liệu, vật tư"), required=False, max_length=150
    )
    supplier_name = forms.CharField(
        label=gettext_lazy("Bên cung cấp"), required=False, max_length=200
    )
    supplier_tax_code = forms.CharField(
        label=gettext_lazy("Mã số thuế bên cung cấp"), required=False, max_length=14
    )
    supplier_gln = forms.CharField(
        label=gettext_lazy("Mã GLN bên cung cấp"), required=False, max_length=13
    )
    supplier_lot_code = forms.CharField(
        label=gettext_lazy("Mã lô trên bao bì của bên cung cấp"),
        required=False,
        max_length=40,
    )
    supplier_gtin = forms.CharField(
        label=gettext_lazy("Mã vạch GTIN trên bao bì"), required=False, max_length=14
    )
    quantity = forms.CharField(
        label=gettext_lazy("Số lượng (ví dụ 30 kg)"), required=False, max_length=60
    )
    received_on = forms.DateField(
        label=gettext_lazy("Ngày nhận"), required=False, widget=DATE
    )

    def __init__(self, *args, lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diary_entry"].queryset = DiaryEntry.objects.filter(
            farm_id=lot.farm_id, kind=DiaryKind.INPUT, corrections__isnull=True
        ).order_by("-occurred_at")

    def clean_source_link(self):
        value = self.cleaned_data["source_link"].strip()
        if not value:
            return None
        resolved = link_resolve(path_and_query=value)
        if resolved.lot is None or not resolved.signature_ok:
            raise ValidationError(
                _(
                    "Mã này không xác thực được. Hãy quét lại mã QR trên tem của "
                    "bên bán, hoặc bỏ trống ô này và ghi tay bên dưới."
                )
            )
        return resolved.lot


class LotInputAddView(WagtailAdminTemplateMixin, FormView):
    template_name = "traceability/staff/lot_input_form.html"
    form_class = LotInputForm
    header_icon = "tag"

    def dispatch(self, request, *args, **kwargs):
        self.lot = get_object_or_404(
            lots_visible_to(user=request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Thêm nguyên liệu cho lô %(code)s") % {"code": self.lot.code}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "lot": self.lot}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            lot=self.lot, lot_url=reverse("traceability_lot", args=[self.lot.pk])
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            item = lot_input_add(
                lot=self.lot,
                actor=self.request.user,
                source_lot=data["source_link"],
                **{k: v for k, v in data.items() if k != "source_link"},
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Đã ghi nguyên liệu %(name)s của %(supplier)s.")
            % {"name": item.product_name, "supplier": item.supplier_name},
        )
        return redirect("traceability_lot", self.lot.pk)


def _lot(request, pk: int):
    return get_object_or_404(lots_visible_to(user=request.user), pk=pk)


def _filename(lot, ext: str) -> str:
    return f"truy-xuat-lo-{lot.pk}-{lot.code}.{ext}"


def lot_export_epcis(request, pk: int):
    """EPCIS 2.0 JSON-LD of the lot with the orders it reached (for the
    National Traceability Portal)."""
    lot = _lot(request, pk)
    response = JsonResponse(
        lot_epcis_export(lot=lot, with_orders=True),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(lot, "jsonld")}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def lot_export_csv(request, pk: int):
    lot = _lot(request, pk)
    record = lot_trace_record(lot=lot, with_orders=True)
    response = HttpResponse(summary_csv(record), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(lot, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def lot_export_page(request, pk: int):
    """One printable page of the Circular 02 elements."""
    lot = _lot(request, pk)
    record = lot_trace_record(lot=lot, with_orders=True)
    sections: dict[str, list[tuple[str, str]]] = {}
    for section, element, value in summary_rows(record):
        sections.setdefault(section, []).append((element, value))
    response = render(
        request,
        "traceability/staff/lot_record_print.html",
        {"record": record, "sections": sections},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@hooks.register("register_admin_urls")
def register_trace_urls():
    return [
        path(
            "truy-xuat/lo/<int:pk>/nguyen-lieu/",
            LotInputAddView.as_view(),
            name="traceability_lot_input_add",
        ),
        path(
            "truy-xuat/lo/<int:pk>/ho-so.jsonld",
            lot_export_epcis,
            name="traceability_lot_export_epcis",
        ),
        path(
            "truy-xuat/lo/<int:pk>/ho-so.csv",
            lot_export_csv,
            name="traceability_lot_export_csv",
        ),
        path(
            "truy-xuat/lo/<int:pk>/ho-so/",
            lot_export_page,
            name="traceability_lot_export_page",
        ),
    ]
