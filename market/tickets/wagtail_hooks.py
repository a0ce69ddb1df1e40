"""Admin side of tickets, under one “Vé du lịch” menu.

* Time slots: seller staff add and edit the dated slots of their own tourism
  variants (the operator: any); another seller's slot is a 404.
* Tickets: seller staff see their own sellers' tickets (read only).
* Check-in (`/admin/ve/soat-ve/`): the same view the farmers' area can mount.

Who sees what is `market.staff.access`'s policies, asked by every view.
"""

from __future__ import annotations

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from market.access import user_seller_ids
from market.models import OcopCategory, Variant
from market.staff.access import (
    ScopedViewSetMixin,
    SellerScopedPolicy,
    StoreStaffMenuItem,
)

from . import views
from .models import Ticket, TimeSlot
from .services import timeslot_save

register_permission_policy(
    TimeSlot,
    SellerScopedPolicy(
        TimeSlot,
        seller_field="variant__product__seller",
        actions={"add", "change", "view"},
    ),
)
register_permission_policy(
    Ticket, SellerScopedPolicy(Ticket, seller_field="seller", actions={"view"})
)


class TimeSlotForm(WagtailAdminModelForm):
    class Meta:
        model = TimeSlot
        fields = ["variant", "starts_at", "ends_at", "capacity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        variants = Variant.objects.filter(
            product__category=OcopCategory.TOURISM
        ).select_related("product")
        ids = user_seller_ids(self.for_user)
        if ids is not None:
            variants = variants.filter(product__seller_id__in=ids)
        self.fields["variant"].queryset = variants
        self.fields["variant"].help_text = _(
            "Chỉ sản phẩm thuộc nhóm “Dịch vụ du lịch” mới bán theo khung giờ."
        )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Giờ kết thúc phải sau giờ bắt đầu."))
        capacity = cleaned.get("capacity")
        if capacity is not None and capacity < self.instance.booked:
            self.add_error(
                "capacity",
                forms.ValidationError(
                    _("Đã có %(booked)s chỗ được đặt: số chỗ không thể ít hơn."),
                    params={"booked": self.instance.booked},
                ),
            )
        return cleaned


class TimeSlotCreateView(CreateView):
    def save_instance(self):
        return timeslot_save(slot=self.form.save(commit=False))


class TimeSlotEditView(EditView):
    def save_instance(self):
        return timeslot_save(slot=self.form.save(commit=False))


class TimeSlotViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "tickets_timeslot"
    url_prefix = "ve/khung-gio"
    model = TimeSlot
    icon = "date"
    menu_label = _("Khung giờ")
    menu_order = 10
    copy_view_enabled = False
    inspect_view_enabled = True
    add_view_class = TimeSlotCreateView
    edit_view_class = TimeSlotEditView
    list_display = [
        "variant",
        DateColumn("starts_at", label=_("Bắt đầu")),
        Column("capacity", label=_("Số chỗ")),
        Column("booked", label=_("Đã đặt")),
    ]
    list_filter = ["starts_at"]
    inspect_view_fields = ["variant", "starts_at", "ends_at", "capacity", "booked"]

    def get_form_class(self, for_update=False):
        return TimeSlotForm

    def get_queryset(self, request):
        return TimeSlot.objects.select_related("variant__product")


class TicketViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "tickets_ticket"
    url_prefix = "ve/ve"
    model = Ticket
    icon = "tag"
    menu_label = _("Vé đã bán")
    menu_order = 20
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        Column("pk", label=_("Số vé")),
        "slot",
        "status",
        Column("order", label=_("Mã đơn")),
        DateColumn("checked_in_at", label=_("Soát vé lúc")),
    ]
    list_filter = ["status"]
    search_fields = ["order__number"]
    form_fields = ["status"]  # never shown: the policy refuses add and change
    inspect_view_fields = ["slot", "status", "order", "checked_in_at", "checked_in_by"]

    def get_queryset(self, request):
        return Ticket.objects.select_related("slot__variant__product", "order")


class TicketsViewSetGroup(ViewSetGroup):
    menu_label = _("Vé du lịch")
    menu_icon = "tag"
    menu_order = 160
    items = (TimeSlotViewSet, TicketViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return TicketsViewSetGroup()


@hooks.register("register_admin_urls")
def register_check_in_url():
    return [
        path("ve/soat-ve/", views.check_in, name="tickets_check_in"),
        path(
            "ve/hoan-ve/<int:ticket_id>/",
            views.ticket_refund_view,
            name="tickets_refund",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_check_in_menu_item():
    return StoreStaffMenuItem(
        _("Soát vé"), reverse("tickets_check_in"), icon_name="tick", order=170
    )
