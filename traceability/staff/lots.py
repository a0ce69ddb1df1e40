"""Admin: lots (list, create, detail with QR and hash-chain check) and label
runs (create, progress, download), scoped to the user's sellers.

Lots are history: there is no edit or delete, a wrong lot is recalled.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.private_files import private_file_response
from market.access import user_seller_ids
from market.models import Variant
from market.staff.access import ScopedViewSetMixin, SellerScopedPolicy
from market.staff.pages import AdminPageMixin
from traceability.models import Farm, LabelRunStatus, Lot, LotStatus
from traceability.selectors import (
    label_runs_visible_to,
    lot_events,
    lots_visible_to,
)
from traceability.selectors_trace import lot_inputs, lot_outputs
from traceability.services.events import lot_chain_check
from traceability.services.labels import (
    MAX_LABELS_PER_RUN,
    label_run_create,
    label_run_retry,
    label_run_stalled,
)
from traceability.services.links import lot_link
from traceability.services.lots import lot_code_suggest, lot_create
from traceability.staff.scoping import ServiceCreateMixin

FIELDS = [
    "variant",
    "farm",
    "harvested_on",
    "packed_on",
    "best_before",
    "quantity",
    "code",
    "standards_applied",
]

register_permission_policy(
    Lot,
    SellerScopedPolicy(Lot, seller_field="farm__seller", actions={"add", "view"}),
)


class LotForm(WagtailAdminModelForm):
    """Only the user's own products and farms are offered."""

    class Meta:
        model = Lot
        fields = FIELDS
        widgets = {
            "harvested_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "packed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "best_before": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        ids = user_seller_ids(for_user)
        variants = Variant.objects.select_related("product")
        farms = Farm.objects.all()
        if ids is not None:
            variants = variants.filter(product__seller_id__in=ids)
            farms = farms.filter(seller_id__in=ids)
        self.fields["variant"].queryset = variants
        self.fields["farm"].queryset = farms
        self.fields["code"].required = False
        self.fields["code"].help_text = _(
            "Bỏ trống để tự đặt theo ngày thu hoạch, ví dụ 261015."
        )

    def _post_clean(self):
        # The model's own checks run in lot_create (one place for the rules).
        pass


class LotIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("variant__product", "farm__seller")
        )

    def get_edit_url(self, instance):
        # Lots are not edited: a row opens the lot's page.
        return reverse("traceability_lot", args=[instance.pk])


class LotCreateView(ServiceCreateMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        code = data.get("code") or lot_code_suggest(
            variant=data["variant"], harvested_on=data["harvested_on"]
        )
        return lot_create(
            variant=data["variant"],
            farm=data["farm"],
            code=code,
            harvested_on=data["harvested_on"],
            packed_on=data.get("packed_on"),
            best_before=data.get("best_before"),
            quantity=data["quantity"],
            standards_applied=data.get("standards_applied", ""),
            actor=self.request.user,
        )

    def get_success_url(self):
        return reverse("traceability_lot", args=[self.object.pk])


class LotViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Lot
    form_fields = FIELDS
    icon = "tag"
    menu_label = _("Lô hàng")
    menu_order = 610
    add_to_admin_menu = True
    list_display = ["code", "variant", "farm", "harvested_on", "status"]
    list_filter = ["status"]
    search_fields = ["code"]
    index_view_class = LotIndexView
    add_view_class = LotCreateView
    url_prefix = "truy-xuat/lo-hang"

    def get_form_class(self, for_update=False):
        return LotForm

    name = "traceability_lots"


lot_viewset = LotViewSet()


class LabelRunForm(forms.Form):
    count = forms.IntegerField(
        label=_("Số tem cần in"), min_value=1, max_value=MAX_LABELS_PER_RUN, initial=40
    )
    columns = forms.IntegerField(
        label=_("Số cột mỗi trang"), min_value=1, max_value=8, initial=4
    )
    rows = forms.IntegerField(
        label=_("Số hàng mỗi trang"), min_value=1, max_value=20, initial=10
    )


class LotDetailView(AdminPageMixin, FormView):
    """One lot: its QR code, history (with the chain check), label runs and
    the form that prints more labels."""

    template_name = "traceability/staff/lot_detail.html"
    form_class = LabelRunForm
    header_icon = "tag"

    def dispatch(self, request, *args, **kwargs):
        self.lot = get_object_or_404(
            lots_visible_to(user=request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Lô %(code)s") % {"code": self.lot.code}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lot = self.lot
        context.update(
            lot=lot,
            link=lot_link(lot=lot),
            qr_png=reverse("traceability_lot_qr_png", args=[lot.pk]),
            qr_svg=reverse("traceability_lot_qr_svg", args=[lot.pk]),
            events=lot_events(lot=lot),
            chain_break=lot_chain_check(lot=lot),
            runs=lot.label_runs.order_by("-created_at"),
            may_print=lot.status == LotStatus.ACTIVE,
            index_url=reverse("traceability_lots:index"),
            inputs=lot_inputs(lot=lot),
            outputs=lot_outputs(lot=lot, with_orders=True),
        )
        return context

    def form_valid(self, form):
        try:
            run = label_run_create(
                lot=self.lot, actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Đã giữ số %(first)s đến %(last)s. Tem đang được in.")
            % {"first": run.first_serial, "last": run.first_serial + run.count - 1},
        )
        return redirect("traceability_label_run", run.pk)


class LabelRunView(AdminPageMixin, TemplateView):
    """Progress of a label run; refreshes itself until the PDF is ready."""

    template_name = "traceability/staff/label_run.html"
    header_icon = "doc-full"
    page_title = _("In tem")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = get_object_or_404(
            label_runs_visible_to(user=self.request.user), pk=kwargs["pk"]
        )
        stalled = label_run_stalled(run)
        context.update(
            run=run,
            last_serial=run.first_serial + run.count - 1,
            percent=round(100 * run.progress / run.count),
            working=run.status in (LabelRunStatus.QUEUED, LabelRunStatus.RUNNING)
            and not stalled,
            stalled=stalled,
            done=run.status == LabelRunStatus.DONE and bool(run.pdf),
            lot_url=reverse("traceability_lot", args=[run.lot_id]),
        )
        return context


@require_POST
def label_run_retry_view(request, pk: int):
    """Start a failed or stalled run again, for the same serials."""
    run = get_object_or_404(label_runs_visible_to(user=request.user), pk=pk)
    try:
        queued = label_run_retry(run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if queued:
            messages.success(request, _("Đã cho in lại đợt tem này."))
        else:
            messages.info(request, _("Đợt in này vẫn đang chạy, không cần in lại."))
    return redirect("traceability_label_run", run.pk)


def label_run_download(request, pk: int):
    """The run's PDF, to staff of the lot's seller (or the operator) only."""
    run = get_object_or_404(label_runs_visible_to(user=request.user), pk=pk)
    if run.status != LabelRunStatus.DONE or not run.pdf:
        raise Http404
    return private_file_response(
        request,
        run.pdf.name,
        filename=f"tem-{run.lot.code}-{run.first_serial}.pdf",
        content_type="application/pdf",
        as_attachment=True,
    )


@hooks.register("register_admin_urls")
def register_lot_urls():
    return [
        path(
            "truy-xuat/lo/<int:pk>/", LotDetailView.as_view(), name="traceability_lot"
        ),
        path(
            "truy-xuat/tem/<int:pk>/",
            LabelRunView.as_view(),
            name="traceability_label_run",
        ),
        path(
            "truy-xuat/tem/<int:pk>/in-lai/",
            label_run_retry_view,
            name="traceability_label_run_retry",
        ),
        path(
            "truy-xuat/tem/<int:pk>/tai-ve/",
            label_run_download,
            name="traceability_label_run_download",
        ),
    ]


@hooks.register("register_admin_viewset")
def register_lot_viewset():
    return lot_viewset


__all__ = ["LotViewSet", "lot_viewset"]
