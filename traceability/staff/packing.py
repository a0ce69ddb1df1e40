"""Admin: a seller packs their shipments and says which lot filled each
line (first-expiring lot suggested). A farmer sees only their own
shipments; the operator sees all."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from market.access import sellers_of, user_seller_ids
from market.checkout.services import InvalidTransition
from market.staff.pages import AdminPageMixin
from traceability.models import Lot, LotStatus
from traceability.selectors_packing import lot_suggest_for_line, shipments_to_pack
from traceability.services.packing import shipment_pack


def shipments_visible_to(user):
    return shipments_to_pack(seller_ids=user_seller_ids(user))


class LotLinesForm(forms.Form):
    """What the packing forms share: `rows` holds (order line, its bound
    fields), the fields named `lot_<line>`/`qty_<line>` and, for a second
    lot, `lot2_<line>`/`qty2_<line>`."""

    rows: list

    def clean(self):
        cleaned = super().clean()
        for line, _fields in self.rows:
            if cleaned.get(f"lot2_{line.pk}") and not cleaned.get(f"qty2_{line.pk}"):
                self.add_error(f"qty2_{line.pk}", _("Ghi số lượng lấy từ lô thứ hai."))
        return cleaned

    def allocations(self) -> list[tuple]:
        """(line, lot, quantity) for every lot chosen with a quantity."""
        chosen = []
        for line, _fields in self.rows:
            for suffix in ("", "2"):
                lot = self.cleaned_data.get(f"lot{suffix}_{line.pk}")
                quantity = self.cleaned_data.get(f"qty{suffix}_{line.pk}")
                if lot is not None and quantity:
                    chosen.append((line, lot, quantity))
        return chosen


class PackingForm(LotLinesForm):
    """Per line: the lot it came from and how many, and, when one lot did
    not have enough, a second lot for the rest. Lines without lots need
    nothing."""

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for line in shipment.lines.all():
            lots = Lot.objects.filter(
                variant_id=line.variant_id,
                status=LotStatus.ACTIVE,
                farm__seller_id=shipment.seller_id,
            ).order_by("best_before", "harvested_on", "pk")
            if not lots.exists():
                self.rows.append((line, ()))
                continue
            suggested = lot_suggest_for_line(order_line=line)
            product = f"{line.product_title} ({line.variant_label})"
            fields = self._add_pair(
                line,
                "",
                lots,
                lot_label=_("Lô cho %(product)s") % {"product": product},
                qty_label=_("Số lượng lấy từ lô này"),
                lot=suggested.pk if suggested else None,
                quantity=line.quantity,
            )
            if line.quantity > 1:
                fields += self._add_pair(
                    line,
                    "2",
                    lots,
                    lot_label=_("Lô thứ hai, nếu một lô không đủ"),
                    qty_label=_("Số lượng lấy từ lô thứ hai"),
                )
            self.rows.append((line, fields))

    def _add_pair(
        self, line, suffix, lots, *, lot_label, qty_label, lot=None, quantity=None
    ) -> list:
        """A lot choice and its quantity for `line`, as bound fields; the
        quantity is required only with a suggested amount (the first lot)."""
        lot_name, qty_name = f"lot{suffix}_{line.pk}", f"qty{suffix}_{line.pk}"
        self.fields[lot_name] = forms.ModelChoiceField(
            queryset=lots,
            required=False,
            initial=lot,
            label=lot_label,
            empty_label=_("Không ghi lô"),
        )
        self.fields[qty_name] = forms.IntegerField(
            min_value=1,
            max_value=line.quantity,
            required=quantity is not None,
            initial=quantity,
            label=qty_label,
        )
        return [self[lot_name], self[qty_name]]


class PackingIndexView(AdminPageMixin, TemplateView):
    template_name = "traceability/staff/packing_index.html"
    page_title = _("Đóng gói đơn hàng")
    header_icon = "clipboard-list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shipments"] = shipments_visible_to(self.request.user).prefetch_related(
            "lines"
        )[:200]
        return context


class PackingView(AdminPageMixin, FormView):
    template_name = "traceability/staff/packing_form.html"
    form_class = PackingForm
    page_title = _("Đóng gói kiện hàng")
    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        self.shipment = get_object_or_404(
            shipments_visible_to(request.user), pk=kwargs["shipment_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "shipment": self.shipment}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "shipment": self.shipment}

    def form_valid(self, form):
        try:
            shipment_pack(
                shipment=self.shipment,
                allocations=form.allocations(),
                actor=self.request.user,
            )
        except (ValidationError, InvalidTransition) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Đã đóng gói đơn %(number)s. Bưu điện sẽ đến lấy hàng.")
            % {"number": self.shipment.order.number},
        )
        return redirect("traceability_packing")


@hooks.register("register_admin_urls")
def register_packing_urls():
    return [
        path("dong-goi/", PackingIndexView.as_view(), name="traceability_packing"),
        path(
            "dong-goi/<int:shipment_id>/",
            PackingView.as_view(),
            name="traceability_pack",
        ),
    ]


class PackingMenuItem(MenuItem):
    def is_shown(self, request):
        return sellers_of(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_packing_menu_item():
    return PackingMenuItem(
        _("Đóng gói đơn hàng"),
        reverse("traceability_packing"),
        icon_name="clipboard-list",
        order=250,
    )
