"""Staff UI for fulfilment, operator only: partners and their areas, API
tokens (the key is shown once), parcels (reassign before pick-up), webhook
endpoints and the delivery log (replay), the sellers' ledger (append-only)
and the payout CSV per period."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from market.access import user_is_operator
from market.staff.access import (
    EDITABLE,
    OperatorMenuItem,
    OperatorOnlyPolicy,
    ScopedViewSetMixin,
)

from .models import (
    PARCEL_TRANSITIONS,
    LedgerEntry,
    LedgerKind,
    Parcel,
    ParcelStatus,
    Partner,
    PartnerArea,
    PartnerToken,
    TaxRate,
    WebhookDelivery,
    WebhookEndpoint,
)
from .selectors import unserved_shipments
from .services.ledger import payout_csv
from .services.partners import (
    parcel_reassign,
    partner_token_issue,
    partner_token_revoke,
)
from .services.unserved import unserved_reason
from .services.webhooks import webhook_delivery_replay
from .tax_admin import TaxRateViewSet, tax_report_view

for _model, _actions in [
    (Partner, EDITABLE),
    (PartnerArea, EDITABLE),
    (WebhookEndpoint, EDITABLE),
    (PartnerToken, {"view", "add", "change"}),  # change = revoke
    (Parcel, {"view", "change"}),  # change = reassign
    (WebhookDelivery, {"view", "change"}),  # change = replay
    (LedgerEntry, {"view", "add"}),  # append-only
    (TaxRate, {"view", "add", "change"}),  # a sale needs a rate in force
]:
    register_permission_policy(_model, OperatorOnlyPolicy(_model, _actions))


# --- partners --------------------------------------------------------------


class PartnerViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "fulfilment_partner"
    url_prefix = "giao-hang/buu-cuc"
    model = Partner
    icon = "site"
    menu_label = _("Bưu cục đối tác")
    copy_view_enabled = False
    list_display = ["name", "code", "province_code", "phone", "is_active"]
    search_fields = ["name", "code"]
    form_fields = [
        "name",
        "code",
        "phone",
        "email",
        "province_code",
        "ward_code",
        "address_line",
        "staff",
        "is_active",
    ]


class PartnerAreaViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "fulfilment_partnerarea"
    url_prefix = "giao-hang/vung"
    model = PartnerArea
    icon = "globe"
    menu_label = _("Vùng phục vụ")
    copy_view_enabled = False
    list_display = [Column("partner", label=_("Bưu cục")), "__str__"]
    list_filter = ["partner"]
    form_fields = ["partner", "province_code", "ward_code"]


# --- tokens ----------------------------------------------------------------


class TokenCreateView(CreateView):
    """Issues the key through the service and shows it once."""

    def form_valid(self, form):
        issued = partner_token_issue(
            partner=form.cleaned_data["partner"],
            name=form.cleaned_data["name"],
            actor=self.request.user,
        )
        return render(
            self.request,
            "fulfilment/admin/token_created.html",
            {
                "issued": issued,
                "index_url": reverse("fulfilment_partnertoken:index"),
                "page_title": _("Khóa API mới"),
                "header_title": _("Khóa API mới"),
            },
        )


class TokenRevokeForm(WagtailAdminModelForm):
    revoke = forms.BooleanField(
        label=_("Thu hồi khóa này"),
        required=False,
        help_text=_("Máy của bưu cục dùng khóa này sẽ không gọi API được nữa."),
    )

    class Meta:
        model = PartnerToken
        fields = ["name"]


class TokenEditView(EditView):
    def save_instance(self):
        instance = self.form.save()
        if self.form.cleaned_data.get("revoke"):
            partner_token_revoke(token=instance)
        return instance


class PartnerTokenViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "fulfilment_partnertoken"
    url_prefix = "giao-hang/khoa-api"
    model = PartnerToken
    icon = "key"
    menu_label = _("Khóa API")
    copy_view_enabled = False
    add_view_class = TokenCreateView
    edit_view_class = TokenEditView
    list_display = [
        "prefix",
        Column("partner", label=_("Bưu cục")),
        "name",
        DateColumn("created_at", label=_("Tạo lúc")),
        DateColumn("last_used_at", label=_("Dùng lần cuối")),
        DateColumn("revoked_at", label=_("Thu hồi lúc")),
    ]
    list_filter = ["partner"]
    form_fields = ["partner", "name"]

    def get_form_class(self, for_update=False):
        if for_update:
            return TokenRevokeForm
        return super().get_form_class(for_update)


# --- parcels ---------------------------------------------------------------


class ParcelReassignForm(WagtailAdminModelForm):
    class Meta:
        model = Parcel
        fields = ["partner"]

    def clean(self):
        cleaned = super().clean()
        if ParcelStatus.CANCELLED not in PARCEL_TRANSITIONS[self.instance.status]:
            raise forms.ValidationError(
                _("Kiện đã được lấy hoặc đã xong, không chuyển bưu cục được nữa.")
            )
        return cleaned


class ParcelReassignView(EditView):
    def save_instance(self):
        # The service locks the row, records the event and tells both partners.
        parcel = Parcel.objects.get(pk=self.object.pk)
        return parcel_reassign(
            parcel=parcel,
            partner=self.form.cleaned_data["partner"],
            actor=self.request.user,
        )


class ParcelViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "fulfilment_parcel"
    url_prefix = "giao-hang/buu-kien"
    model = Parcel
    icon = "mail"
    menu_label = _("Bưu kiện")
    copy_view_enabled = False
    inspect_view_enabled = True
    edit_view_class = ParcelReassignView
    list_display = [
        "tracking_code",
        "status",
        Column("partner", label=_("Bưu cục")),
        Column("shipment", label=_("Kiện của người bán")),
        "weight_g",
        DateColumn("created_at", label=_("Tạo lúc")),
    ]
    list_filter = ["status", "partner"]
    search_fields = ["tracking_code", "shipment__order__number"]

    def get_form_class(self, for_update=False):
        return ParcelReassignForm

    def get_queryset(self, request):
        return Parcel.objects.select_related("partner", "shipment__order")


# --- webhooks --------------------------------------------------------------


class WebhookEndpointViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "fulfilment_webhookendpoint"
    url_prefix = "giao-hang/webhook"
    model = WebhookEndpoint
    icon = "link"
    menu_label = _("Địa chỉ webhook")
    copy_view_enabled = False
    list_display = [Column("partner", label=_("Bưu cục")), "url", "is_active"]
    form_fields = ["partner", "url", "secret", "is_active"]


class ReplayForm(WagtailAdminModelForm):
    confirm = forms.BooleanField(
        label=_("Gửi lại sự kiện này (cùng mã sự kiện, bên nhận tự bỏ bản trùng)"),
    )

    class Meta:
        model = WebhookDelivery
        fields = []


class ReplayView(EditView):
    def save_instance(self):
        webhook_delivery_replay(delivery=self.object)
        return self.object

    def get_success_message(self, instance=None):
        return _("Đã xếp lịch gửi lại.")


class WebhookDeliveryViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "fulfilment_webhookdelivery"
    url_prefix = "giao-hang/nhat-ky-webhook"
    model = WebhookDelivery
    icon = "resubmit"
    menu_label = _("Nhật ký webhook")
    copy_view_enabled = False
    inspect_view_enabled = True
    edit_view_class = ReplayView
    list_display = [
        "event_type",
        Column("endpoint", label=_("Gửi đến")),
        "status",
        "attempts",
        "last_response_code",
        "last_error",
        DateColumn("next_attempt_at", label=_("Gửi lại lúc")),
        DateColumn("created_at", label=_("Tạo lúc")),
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["event_type", "last_error"]

    def get_form_class(self, for_update=False):
        return ReplayForm

    def get_queryset(self, request):
        return WebhookDelivery.objects.select_related("endpoint__partner")


# --- ledger ----------------------------------------------------------------


class LedgerEntryForm(WagtailAdminModelForm):
    """The operator adds payouts made and adjustments; sales, commissions
    and refunds are written by the services only."""

    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=[
            (LedgerKind.PAYOUT.value, LedgerKind.PAYOUT.label),
            (LedgerKind.ADJUSTMENT.value, LedgerKind.ADJUSTMENT.label),
        ],
        help_text=_("Đã chuyển tiền cho người bán: nhập số âm."),
    )

    class Meta:
        model = LedgerEntry
        fields = ["seller", "kind", "amount_vnd", "note"]


class LedgerEntryViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "fulfilment_ledgerentry"
    url_prefix = "giao-hang/so-cai"
    model = LedgerEntry
    icon = "table"
    menu_label = _("Sổ cái người bán")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        Column("seller", label=_("Người bán")),
        "kind",
        "amount_vnd",
        Column("order", label=_("Đơn")),
        "note",
        DateColumn("created_at", label=_("Ngày ghi")),
    ]
    list_filter = ["kind", "seller"]
    search_fields = ["note", "order__number"]

    def get_form_class(self, for_update=False):
        return LedgerEntryForm

    def get_queryset(self, request):
        return LedgerEntry.objects.select_related("seller", "order")


class FulfilmentGroup(ViewSetGroup):
    menu_label = _("Giao hàng")
    menu_icon = "mail"
    menu_order = 230
    items = (
        ParcelViewSet,
        PartnerViewSet,
        PartnerAreaViewSet,
        PartnerTokenViewSet,
        WebhookEndpointViewSet,
        WebhookDeliveryViewSet,
        LedgerEntryViewSet,
        TaxRateViewSet,
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return FulfilmentGroup()


# --- payout export -----------------------------------------------------------


class PayoutPeriodForm(forms.Form):
    start = forms.DateField(
        label=_("Từ ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("Đến hết ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("start")
            and cleaned.get("end")
            and cleaned["end"] < cleaned["start"]
        ):
            raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def payout_export_view(request):
    """CSV of each seller's sums for the period and balance at its end."""
    if not user_is_operator(request.user):
        raise PermissionDenied
    form = PayoutPeriodForm(request.GET or None)
    if form.is_valid():
        start = _day_start(form.cleaned_data["start"])
        end = _day_start(form.cleaned_data["end"] + dt.timedelta(days=1))
        response = HttpResponse(
            payout_csv(start=start, end=end), content_type="text/csv; charset=utf-8"
        )
        name = f"chi-tra-{form.cleaned_data['start']}-{form.cleaned_data['end']}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "fulfilment/admin/payout_export.html",
        {
            "form": form,
            "page_title": _("Xuất bảng chi trả"),
            "header_title": _("Xuất bảng chi trả cho người bán"),
        },
    )


def unserved_view(request):
    """Paid shipments no post office serves yet, with the reason: the
    seller's ward and province that no active office covers."""
    if not user_is_operator(request.user):
        raise PermissionDenied
    rows = [
        (
            record,
            unserved_reason(
                province_code=record.province_code, ward_code=record.ward_code
            ),
        )
        for record in unserved_shipments()[:500]
    ]
    return render(
        request,
        "fulfilment/admin/unserved.html",
        {
            "rows": rows,
            "areas_url": reverse("fulfilment_partnerarea:add"),
            "page_title": _("Kiện chưa có bưu cục"),
            "header_title": _("Kiện đã thanh toán chưa có bưu cục nhận"),
        },
    )


@hooks.register("register_admin_urls")
def register_payout_urls():
    return [
        path("giao-hang/chua-co-buu-cuc/", unserved_view, name="fulfilment_unserved"),
        path("giao-hang/chi-tra/", payout_export_view, name="fulfilment_payouts"),
        path("giao-hang/thue/", tax_report_view, name="fulfilment_tax_report"),
    ]


@hooks.register("register_admin_menu_item")
def register_payout_menu_item():
    return OperatorMenuItem(
        _("Chi trả người bán"),
        reverse("fulfilment_payouts"),
        icon_name="download",
        order=231,
    )


@hooks.register("register_admin_menu_item")
def register_tax_menu_item():
    return OperatorMenuItem(
        _("Thuế khấu trừ"),
        reverse("fulfilment_tax_report"),
        icon_name="doc-full",
        order=232,
    )


@hooks.register("register_admin_menu_item")
def register_unserved_menu_item():
    return OperatorMenuItem(
        _("Kiện chưa có bưu cục"),
        reverse("fulfilment_unserved"),
        icon_name="warning",
        order=229,
    )
