"""Staff UI for sellers: applications, approval, certifications, farmer scoping.

Page, image and document scoping comes from the seller group's page and
collection permissions (see `market.services.sellers`). Certifications are
plain rows: their policy (`market.staff.access.SellerScopedPolicy`) gives a
farmer their own sellers' rows and the operator all, and every view of the
viewset asks it (`ScopedViewSetMixin`). Only the operator reviews.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from market.access import sellers_of, user_is_operator
from market.forms import RejectForm, bank_name
from market.models import (
    ApplicationStatus,
    Certification,
    ProductPage,
    Seller,
    SellerApplication,
)
from market.services import certifications as cert_services
from market.services import sellers as seller_services
from market.services.catalogue import seller_refresh_summaries
from market.staff.access import (
    EDITABLE,
    OperatorOnlyPolicy,
    ScopedViewSetMixin,
    SellerScopedPolicy,
)

# --- permission policies ----------------------------------------------------------

# Applications come only from the public form: nobody adds or deletes one here.
register_permission_policy(
    SellerApplication, OperatorOnlyPolicy(SellerApplication, {"view", "change"})
)
register_permission_policy(Seller, OperatorOnlyPolicy(Seller, {"view", "change"}))
register_permission_policy(
    Certification,
    SellerScopedPolicy(Certification, seller_field="seller", actions=EDITABLE),
)


# --- seller applications ------------------------------------------------------------


class ApplicationIndexView(generic.IndexView):
    def get_edit_url(self, instance):
        # The review page (with approve / reject) is what the operator needs.
        return self.get_inspect_url(instance)


class ApplicationReviewView(generic.InspectView):
    template_name = "market/apply/staff_review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("reject_form", RejectForm())
        context["can_review"] = self.can_review()
        context["bank_name"] = bank_name(self.object.bank_bin)
        context["status_url"] = seller_services.seller_application_status_url(
            self.object
        )
        return context

    def get_reviewed_by_display_value(self):
        reviewer = self.object.reviewed_by
        if reviewer is None:
            return _("Chưa duyệt")
        return reviewer.get_full_name() or reviewer.get_username()

    def can_review(self) -> bool:
        return self.object.status != ApplicationStatus.APPROVED and (
            user_is_operator(self.request.user)
        )

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.can_review():
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "approve":
            return self._approve(request)
        if action == "reject":
            return self._reject(request)
        return redirect(request.path)

    def _approve(self, request):
        try:
            result = seller_services.seller_application_approve(
                application=self.object, reviewer=request.user
            )
        except (ValidationError, seller_services.MarketNotSetUp) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect(request.path)
        self.object.refresh_from_db()
        # Rendered, not redirected: the one-time password is shown exactly once
        # and never stored in a session or message queue.
        context = self.get_context_data(approval=result)
        return self.render_to_response(context)

    def _reject(self, request):
        form = RejectForm(request.POST)
        if form.is_valid():
            try:
                seller_services.seller_application_reject(
                    application=self.object,
                    reviewer=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Đã từ chối hồ sơ và lưu lý do."))
            return redirect(request.path)
        return self.render_to_response(self.get_context_data(reject_form=form))


class SellerApplicationViewSet(ScopedViewSetMixin, ModelViewSet):
    model = SellerApplication
    icon = "form"
    menu_label = _("Đơn mở cửa hàng")
    menu_order = 210
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ApplicationIndexView
    inspect_view_class = ApplicationReviewView
    list_display = [
        "legal_name",
        "tax_code",
        Column("province_name", label=_("Tỉnh / thành phố")),
        "status",
        DateColumn("created_at", label=_("Ngày nộp")),
    ]
    list_filter = ["status", "kind"]
    search_fields = ["legal_name", "tax_code", "phone"]
    # Typos can be fixed before approval; the status only moves by the actions.
    form_fields = [
        "kind",
        "legal_name",
        "tax_code",
        "contact_name",
        "phone",
        "email",
        "address_line",
        "bank_account_number",
        "bank_account_name",
    ]
    inspect_view_fields = [
        "status",
        "kind",
        "legal_name",
        "tax_code",
        "contact_name",
        "phone",
        "email",
        "address_line",
        "bank_account_number",
        "bank_account_name",
        "rejection_reason",
        "reviewed_by",
        "reviewed_at",
        "created_at",
    ]


class SellerEditView(generic.EditView):
    def save_instance(self):
        seller = super().save_instance()
        # The products' province filter and summaries follow the seller.
        seller_refresh_summaries(seller=seller)
        return seller


class SellerViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Seller
    edit_view_class = SellerEditView
    icon = "group"
    menu_label = _("Người bán")
    menu_order = 220
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["legal_name", "tax_code", Column("province_name", label=_("Tỉnh"))]
    list_filter = ["kind", "is_active"]
    search_fields = ["legal_name", "tax_code", "phone"]
    form_fields = [
        "legal_name",
        "phone",
        "email",
        "address_line",
        "bank_bin",
        "bank_account_number",
        "bank_account_name",
        "is_active",
        "declares_own_tax",
    ]


# --- certifications ----------------------------------------------------------------


class CertificationForm(WagtailAdminModelForm):
    """A seller's certification with its scan. The rules live in the service;
    this form only offers the seller's own stores and products."""

    scan = forms.FileField(
        label=_("Ảnh chụp hoặc bản quét giấy chứng nhận"),
        required=False,
        help_text=_("PDF, JPG, PNG hoặc WebP, tối đa 10 MB."),
        # Not ClearableFileInput: it would link the stored scan's URL, and a
        # private file has none (the inspect page links the checked view).
        widget=forms.FileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
        ),
    )

    class Meta:
        model = Certification
        fields = ["seller", *cert_services.SELLER_FIELDS]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        sellers = sellers_of(for_user)
        self.fields["seller"].queryset = sellers
        self.fields["seller"].label = _("Cửa hàng")
        if self.instance.pk:
            self.fields["seller"].disabled = True
        elif sellers.count() == 1:
            self.fields["seller"].initial = sellers.first().pk
        self.fields["product"].queryset = ProductPage.objects.filter(
            seller__in=sellers
        ).order_by("title")
        self.fields["issued_on"].help_text = _(
            "OCOP: hiệu lực 36 tháng từ ngày này, chợ tự tính ngày hết hạn."
        )


class CertificationSaveMixin:
    """Create and edit go through the certification services."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def _upload(self, form) -> UploadedFile | None:
        # A file field's cleaned value is the stored file when nothing new
        # was chosen: only a new upload replaces the scan.
        upload = form.cleaned_data.get("scan")
        return upload if isinstance(upload, UploadedFile) else None

    def _service_data(self, form) -> dict:
        return {
            field: form.cleaned_data.get(field) for field in cert_services.SELLER_FIELDS
        }


class CertificationCreateView(CertificationSaveMixin, generic.CreateView):
    def save_instance(self):
        return cert_services.certification_submit(
            seller=self.form.cleaned_data["seller"],
            user=self.request.user,
            data=self._service_data(self.form),
            upload=self._upload(self.form),
        )


class CertificationEditView(CertificationSaveMixin, generic.EditView):
    def save_instance(self):
        return cert_services.certification_update(
            certification=self.object,
            user=self.request.user,
            data=self._service_data(self.form),
            upload=self._upload(self.form),
        )


class CertificationDeleteView(generic.DeleteView):
    def delete_action(self):
        cert_services.certification_delete(certification=self.object)


class CertificationReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú cho người bán (bắt buộc khi từ chối)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CertificationInspectView(generic.InspectView):
    template_name = "market/apply/staff_certification.html"

    def can_review(self) -> bool:
        return user_is_operator(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_review"] = self.can_review()
        context.setdefault("review_form", CertificationReviewForm())
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.can_review():
            raise PermissionDenied
        form = CertificationReviewForm(request.POST)
        form.is_valid()
        note = form.cleaned_data.get("note", "")
        try:
            if request.POST.get("action") == "approve":
                cert_services.certification_approve(
                    certification=self.object, reviewer=request.user, note=note
                )
                messages.success(request, _("Đã duyệt chứng nhận."))
            else:
                cert_services.certification_reject(
                    certification=self.object, reviewer=request.user, note=note
                )
                messages.success(request, _("Đã từ chối chứng nhận và gửi lý do."))
        except ValidationError as error:
            form.add_error("note", error.messages[0])
            return self.render_to_response(self.get_context_data(review_form=form))
        return redirect(request.path)


def validity_text(certification: Certification, today=None) -> str:
    """The end date, and how long is left (Wagtail's DateColumn says "Just
    now" for any date in the future)."""
    end = certification.valid_until
    if end is None:
        return gettext("Không ghi thời hạn")
    today = today or timezone.localdate()
    day = format_date(end, "d/m/Y")
    if end < today:
        return gettext("%(day)s (đã hết hạn)") % {"day": day}
    if end == today:
        return gettext("%(day)s (hết hạn cuối ngày hôm nay)") % {"day": day}
    return gettext("%(day)s (còn %(left)s)") % {
        "day": day,
        "left": _time_left(today, end),
    }


def _time_left(today, end) -> str:
    # Django's own "timeuntil" has no Vietnamese words; people say
    # "còn 2 năm 3 tháng" or, in the last two months, "còn 45 ngày".
    days = (end - today).days
    if days < 60:
        return ngettext("%(n)d ngày", "%(n)d ngày", days) % {"n": days}
    months = (end.year - today.year) * 12 + end.month - today.month
    if end.day < today.day:
        months -= 1
    years, months = divmod(months, 12)
    parts = []
    if years:
        parts.append(ngettext("%(n)d năm", "%(n)d năm", years) % {"n": years})
    if months:
        parts.append(ngettext("%(n)d tháng", "%(n)d tháng", months) % {"n": months})
    return " ".join(parts)


class CertificationIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("seller", "product")


class CertificationViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Certification
    icon = "tick-inverse"
    menu_label = _("Chứng nhận OCOP, VietGAP")
    menu_order = 230
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = CertificationIndexView
    add_view_class = CertificationCreateView
    edit_view_class = CertificationEditView
    delete_view_class = CertificationDeleteView
    inspect_view_class = CertificationInspectView
    list_display = [
        "__str__",
        "seller",
        "product",
        "status",
        Column(
            "valid_until",
            label=_("Hiệu lực đến"),
            accessor=validity_text,
            sort_key="valid_until",
        ),
    ]
    list_filter = ["status", "kind"]
    search_fields = ["number", "issuer"]
    inspect_view_fields = [
        "seller",
        "product",
        "kind",
        "number",
        "issuer",
        "ocop_level",
        "stars",
        "scope",
        "issued_on",
        "valid_until",
        "status",
        "review_note",
        "reviewed_by",
        "reviewed_at",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("seller"),
            FieldPanel("product"),
            FieldPanel("kind"),
            FieldPanel("number"),
            FieldPanel("scan"),
            FieldRowPanel([FieldPanel("stars"), FieldPanel("ocop_level")]),
            FieldPanel("issuer"),
            FieldPanel("scope"),
            FieldRowPanel([FieldPanel("issued_on"), FieldPanel("valid_until")]),
        ],
        base_form_class=CertificationForm,
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [
        SellerApplicationViewSet("seller_applications"),
        SellerViewSet("sellers"),
        CertificationViewSet("certifications"),
    ]
