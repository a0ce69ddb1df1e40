"""Admin: a seller's farms (create, edit, list, history…), every view scoped
to the user's sellers by the policy below (`ScopedViewSetMixin`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from market.access import sellers_of
from market.staff.access import ScopedViewSetMixin, SellerScopedPolicy
from traceability.models import Farm
from traceability.services.farms import farm_create
from traceability.staff.scoping import ServiceCreateMixin

FIELDS = [
    "seller",
    "name",
    "crops",
    "province_code",
    "ward_code",
    "address_line",
    "latitude",
    "longitude",
    "area_m2",
    "gln",
]

register_permission_policy(
    Farm,
    SellerScopedPolicy(Farm, seller_field="seller", actions={"add", "change", "view"}),
)


class FarmForm(WagtailAdminModelForm):
    """The seller field offers only the user's own sellers (hidden when one)."""

    class Meta:
        model = Farm
        fields = FIELDS

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        sellers = sellers_of(for_user)
        self.fields["seller"].queryset = sellers
        if len(sellers) == 1:
            self.fields["seller"].initial = sellers[0]
            self.fields["seller"].widget = forms.HiddenInput()
        self.fields["province_code"].widget = forms.NumberInput()
        self.fields["latitude"].help_text = _(
            "Ví dụ 15.88012 (bỏ trống nếu chưa biết)."
        )


class FarmIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("seller")


class FarmCreateView(ServiceCreateMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return farm_create(**{name: data.get(name) for name in FIELDS})


class FarmViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Farm
    form_fields = FIELDS
    icon = "site"
    menu_label = _("Vườn / cơ sở")
    menu_order = 600
    add_to_admin_menu = True
    list_display = ["name", "seller", "crops", "area_m2"]
    search_fields = ["name", "crops"]
    index_view_class = FarmIndexView
    add_view_class = FarmCreateView
    url_prefix = "truy-xuat/vuon"

    def get_form_class(self, for_update=False):
        return FarmForm

    name = "traceability_farms"


farm_viewset = FarmViewSet()


@hooks.register("register_admin_viewset")
def register_farm_viewset():
    return farm_viewset
