"""Staff UI for the catalogue: a farmer imports their own price list.

Upload a CSV (checked: size, UTF-8, header) → preview of what would change
(new products, changed variants, stock, errors with line numbers) → confirm.
The file's text waits in the session between preview and confirm, tied to a
hash, so what is confirmed is exactly what was previewed. A farmer imports
only into a seller they belong to (`request.user.sellers`); new products are
drafts to send through moderation, certificates wait for the operator.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail import hooks

from market.access import sellers_of
from market.models import Seller
from market.services.imports import ImportFileError, catalogue_import, catalogue_text
from market.staff.access import StoreStaffMenuItem, StoreStaffViewMixin

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
SESSION_KEY = "market_catalogue_import"


class UploadForm(forms.Form):
    seller = forms.ModelChoiceField(
        label=_("Cửa hàng"), queryset=Seller.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("Tệp CSV"),
        help_text=_(
            "Một dòng cho mỗi loại hàng, mã hóa UTF-8, dòng đầu là tên cột như tệp "
            "mẫu. Tối đa 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seller"].queryset = sellers_of(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Tệp lớn quá 2 MB. Hãy chia thành nhiều tệp nhỏ hơn.")
            )
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                _("Hãy chọn tệp .csv (trong Excel: «Lưu thành» → «CSV UTF-8»).")
            )
        try:
            self.cleaned_data["text"] = catalogue_text(upload.read()).getvalue()
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


def _run(*, text: str, seller: Seller, user, dry_run: bool):
    return catalogue_import(
        stream=catalogue_text(text.encode("utf-8")),
        dry_run=dry_run,
        only_seller=seller,
        approve_certifications=False,
        publish=False,
        user=user,
    )


class CatalogueImportView(StoreStaffViewMixin, FormView):
    template_name = "market/staff/catalogue_import.html"
    page_title = _("Nhập hàng từ tệp")
    header_icon = "upload"
    form_class = UploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "confirm":
            return self.confirm()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        seller, text = form.cleaned_data["seller"], form.cleaned_data["text"]
        try:
            plan = _run(text=text, seller=seller, user=self.request.user, dry_run=True)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        digest = hashlib.sha256(text.encode()).hexdigest()
        if not plan.errors:
            self.request.session[SESSION_KEY] = {
                "seller": seller.pk,
                "text": text,
                "sha256": digest,
            }
        return self.render_to_response(
            self.get_context_data(form=form, plan=plan, seller=seller, digest=digest)
        )

    def confirm(self):
        pending = self.request.session.pop(SESSION_KEY, None)
        seller = None
        if pending and pending.get("sha256") == self.request.POST.get("sha256"):
            seller = sellers_of(self.request.user).filter(pk=pending["seller"]).first()
        if seller is None:
            messages.error(
                self.request, _("Phiên xem trước đã hết. Hãy tải tệp lên lại.")
            )
            return redirect("market_catalogue_import")
        try:
            plan = _run(
                text=pending["text"],
                seller=seller,
                user=self.request.user,
                dry_run=False,
            )
        except ImportFileError as exc:
            messages.error(self.request, str(exc))
            return redirect("market_catalogue_import")
        if plan.errors:
            messages.error(
                self.request,
                _("Dữ liệu đã thay đổi từ lúc xem trước; chưa ghi gì. Hãy tải lại."),
            )
            return redirect("market_catalogue_import")
        messages.success(
            self.request,
            _(
                "Đã nhập: %(products)s sản phẩm mới (bản nháp, hãy gửi duyệt), "
                "%(variants)s loại hàng đổi giá hoặc quy cách, %(stock)s thay đổi "
                "tồn kho."
            )
            % {
                "products": plan.counts["new_products"],
                "variants": plan.counts["changed_variants"],
                "stock": plan.counts["stock_changes"],
            },
        )
        store = getattr(seller, "store_page", None)
        if store is not None:
            return redirect("wagtailadmin_explore", store.pk)
        return redirect("market_catalogue_import")


@hooks.register("register_admin_urls")
def register_catalogue_import_url():
    return [
        path(
            "nhap-hang/",
            CatalogueImportView.as_view(),
            name="market_catalogue_import",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_catalogue_import_menu_item():
    return StoreStaffMenuItem(
        _("Nhập hàng từ tệp"),
        reverse("market_catalogue_import"),
        icon_name="upload",
        order=310,
    )
