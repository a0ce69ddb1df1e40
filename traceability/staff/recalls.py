"""Admin: recall a lot (operator: any lot; a seller's staff: their own)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from market.staff.pages import AdminPageMixin
from traceability.models import LotStatus
from traceability.selectors import lots_visible_to
from traceability.services.links import lot_link
from traceability.services.recalls import lot_recall, lot_recall_recipients


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_(
            "Người mua sẽ đọc lý do này trên trang quét mã và trong e-mail. "
            "Viết rõ, ngắn gọn."
        ),
    )
    confirm = forms.BooleanField(
        label=_("Tôi hiểu: thu hồi không thể hoàn tác, người mua sẽ được báo ngay."),
    )


class RecallIndexView(AdminPageMixin, TemplateView):
    template_name = "traceability/staff/recall_index.html"
    page_title = _("Thu hồi lô hàng")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        lots = lots_visible_to(user=self.request.user).order_by(
            "status", "-harvested_on", "-pk"
        )
        if query:
            lots = lots.filter(code__icontains=query)
        context["page_obj"] = Paginator(lots, 50).get_page(self.request.GET.get("p"))
        context["query"] = query
        return context


class RecallView(AdminPageMixin, FormView):
    template_name = "traceability/staff/recall_form.html"
    form_class = RecallForm
    page_title = _("Thu hồi lô hàng")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        self.lot = get_object_or_404(
            lots_visible_to(user=request.user), pk=kwargs["lot_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lot"] = self.lot
        context["recalled"] = self.lot.status == LotStatus.RECALLED
        context["shoppers"] = len(lot_recall_recipients(lot=self.lot))
        context["scan_url"] = lot_link(lot=self.lot)
        return context

    def form_valid(self, form):
        try:
            lot_recall(
                lot=self.lot,
                reason=form.cleaned_data["reason"],
                actor=self.request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Đã thu hồi lô %(code)s. Trang quét mã đã chuyển sang màu đỏ.")
            % {"code": self.lot.code},
        )
        return redirect("traceability_recalls")


@hooks.register("register_admin_urls")
def register_recall_urls():
    return [
        path(
            "truy-xuat/thu-hoi/", RecallIndexView.as_view(), name="traceability_recalls"
        ),
        path(
            "truy-xuat/thu-hoi/<int:lot_id>/",
            RecallView.as_view(),
            name="traceability_recall",
        ),
    ]


class RecallMenuItem(MenuItem):
    def is_shown(self, request):
        return lots_visible_to(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_recall_menu_item():
    return RecallMenuItem(
        _("Thu hồi lô"),
        reverse("traceability_recalls"),
        icon_name="warning",
        order=640,
    )
