"""Staff UI of checkout in the Wagtail admin, under one “Đơn hàng” menu.

* Shipping tariffs: the operator edits the fee table.
* Orders: the operator sees every order with its lines and history.
* Seller shipments: a farmer sees only the shipments of their own sellers
  (`request.user.sellers`) with what to pack and where it goes; the operator
  sees all. Any other seller's shipment is a 404, like one that does not
  exist. Status moves (packed, shipped) belong to fulfilment's screens.

Who sees what is `market.staff.access`'s policies, asked by every view.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from market.checkout.models import Order, Shipment, ShippingTariff
from market.checkout.selectors import shipments_for_user
from market.staff.access import (
    EDITABLE,
    OperatorOnlyPolicy,
    ScopedViewSetMixin,
    SellerScopedPolicy,
)

register_permission_policy(
    Shipment, SellerScopedPolicy(Shipment, seller_field="seller", actions={"view"})
)
# Orders and shipments are read-only here: they change only through
# checkout's services (and fulfilment's screens).
register_permission_policy(Order, OperatorOnlyPolicy(Order, {"view"}))
register_permission_policy(ShippingTariff, OperatorOnlyPolicy(ShippingTariff, EDITABLE))


class ShipmentIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("order", "seller")


class ShipmentInspectView(generic.InspectView):
    template_name = "checkout/admin/shipment_inspect.html"

    def get_object(self, queryset=None):
        shipment = (
            shipments_for_user(user=self.request.user)
            .prefetch_related("lines")
            .filter(pk=self.pk)
            .first()
        )
        if shipment is None:
            raise Http404
        return shipment


class ShipmentViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Shipment
    icon = "mail"
    menu_label = _("Kiện cần gửi")
    menu_order = 20
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ShipmentIndexView
    inspect_view_class = ShipmentInspectView
    list_display = [
        Column("order", label=_("Mã đơn")),
        "seller",
        "status",
        Column("weight_g", label=_("Khối lượng (g)")),
        DateColumn("created_at", label=_("Ngày đặt")),
    ]
    list_filter = ["status"]
    search_fields = ["order__number"]
    form_fields = ["status"]  # never shown: the policy refuses add and change
    inspect_view_fields = [
        "status",
        "seller",
        "zone",
        "weight_g",
        "subtotal_vnd",
        "shipping_vnd",
        "created_at",
        "packed_at",
        "shipped_at",
    ]


class OrderInspectView(generic.InspectView):
    template_name = "checkout/admin/order_inspect.html"


class OrderViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Order
    icon = "list-ul"
    menu_label = _("Tất cả đơn hàng")
    menu_order = 10
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    list_display = [
        "number",
        "customer_name",
        "status",
        "payment_method",
        Column("total_vnd", label=_("Tổng tiền (đồng)")),
        DateColumn("created_at", label=_("Ngày đặt")),
    ]
    list_filter = ["status", "payment_method"]
    search_fields = ["number", "customer_name", "phone", "email"]
    form_fields = ["customer_name"]  # never shown: the policy refuses change
    inspect_view_fields = [
        "status",
        "payment_method",
        "customer_name",
        "phone",
        "email",
        "subtotal_vnd",
        "shipping_vnd",
        "total_vnd",
        "refunded_vnd",
        "hold_until",
        "paid_at",
        "created_at",
    ]


class ShippingTariffViewSet(ScopedViewSetMixin, ModelViewSet):
    model = ShippingTariff
    icon = "table"
    menu_label = _("Biểu phí giao hàng")
    menu_order = 30
    copy_view_enabled = False
    list_display = [
        "zone",
        Column("max_weight_g", label=_("Đến (gam)")),
        Column("fee_vnd", label=_("Phí (đồng)")),
        Column("extra_per_kg_vnd", label=_("Mỗi kg thêm (đồng)")),
    ]
    list_filter = ["zone"]
    form_fields = ["zone", "max_weight_g", "fee_vnd", "extra_per_kg_vnd"]


class CheckoutViewSetGroup(ViewSetGroup):
    menu_label = _("Đơn hàng")
    menu_icon = "form"
    menu_order = 150
    items = (OrderViewSet, ShipmentViewSet, ShippingTariffViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return CheckoutViewSetGroup()
