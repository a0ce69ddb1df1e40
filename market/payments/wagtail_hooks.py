"""Staff UI for payments: operator only.

Payments and webhook events are read-only records; bank transfers that need
a look (under-, over-paid, unmatched) come first and take a review note; the
bank statement import is upload → preview → confirm.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Value, When
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from market.access import user_is_operator
from market.payments import services
from market.payments.models import BankTransfer, Payment, PaymentEvent, TransferMatch
from market.staff.access import OperatorMenuItem, OperatorOnlyPolicy, ScopedViewSetMixin

register_permission_policy(Payment, OperatorOnlyPolicy(Payment, {"view"}))
register_permission_policy(PaymentEvent, OperatorOnlyPolicy(PaymentEvent, {"view"}))
register_permission_policy(
    BankTransfer, OperatorOnlyPolicy(BankTransfer, {"view", "change"})
)


class PaymentViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "payments_payment"
    model = Payment
    icon = "doc-full"
    menu_label = _("Khoản thanh toán")
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        Column("order", label=_("Đơn")),
        "provider",
        "amount_vnd",
        "status",
        "reference",
        DateColumn("created_at", label=_("Tạo lúc")),
    ]
    # "succeeded" with order status "cancelled" = money taken for an order that
    # expired first: refund it.
    list_filter = ["provider", "status", "order__status"]
    search_fields = ["reference", "order__number"]
    ordering = ["-created_at"]
    form_fields = ["status"]


class PaymentEventViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "payments_event"
    model = PaymentEvent
    icon = "list-ul"
    menu_label = _("Sự kiện webhook")
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "event_id",
        "type",
        "provider",
        "received_at",
        "processed_at",
        "outcome",
    ]
    list_filter = ["provider", "type"]
    search_fields = ["event_id", "type"]
    ordering = ["-received_at"]
    form_fields = ["outcome"]


class TransferReviewView(EditView):
    """Saving the review note goes through the service (who and when)."""

    def save_instance(self):
        return services.bank_transfer_review(
            transfer=self.object,
            user=self.request.user,
            note=self.form.cleaned_data["review_note"],
        )


class TransferIndexView(IndexView):
    """Flagged transfers not yet reviewed first, newest first within each."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("order")
            .annotate(
                done=Case(
                    When(match=TransferMatch.MATCHED, then=Value(True)),
                    When(reviewed_at__isnull=False, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        )


class BankTransferViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "payments_banktransfer"
    model = BankTransfer
    icon = "warning"
    menu_label = _("Chuyển khoản")
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_view_class = TransferReviewView
    index_view_class = TransferIndexView
    list_display = [
        "transaction_id",
        "match",
        "amount_vnd",
        Column("order", label=_("Đơn")),
        "reference",
        "note",
        DateColumn("occurred_at", label=_("Thời gian")),
        DateColumn("reviewed_at", label=_("Đã xem")),
    ]
    list_filter = ["match", "source"]
    search_fields = ["transaction_id", "reference", "order__number"]
    form_fields = ["review_note"]
    ordering = ["done", "-occurred_at", "-pk"]


class PaymentsGroup(ViewSetGroup):
    menu_label = _("Thanh toán")
    menu_icon = "tasks"
    menu_order = 220
    items = (BankTransferViewSet, PaymentViewSet, PaymentEventViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return PaymentsGroup()


# --- bank statement import ------------------------------------------------------


class StatementForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp sao kê (CSV)"),
        help_text=_(
            "CSV mã hóa UTF-8 với các cột: mã giao dịch, thời gian, số tiền, nội dung. "
            "Chỉ các khoản tiền vào được đọc; khoản đã nhập trước đó được bỏ qua."
        ),
    )


SESSION_KEY = "payments_statement_preview"


def _check_operator(request) -> None:
    if not user_is_operator(request.user):
        raise PermissionDenied


def statement_import_view(request):
    _check_operator(request)
    if request.method == "POST" and "confirm" in request.POST:
        return _statement_confirm(request)
    form = StatementForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows, errors = services.statement_parse(
                data=upload.read(services.transfers.MAX_STATEMENT_BYTES + 1)
            )
        except services.StatementError as exc:
            form.add_error("file", str(exc))
        else:
            request.session[SESSION_KEY] = [
                {**row.__dict__, "occurred_at": row.occurred_at.isoformat()}
                for row in rows
            ]
            context.update(
                rows=rows, errors=errors, new=[r for r in rows if not r.known]
            )
    return render(request, "payments/admin/statement_import.html", context)


def _statement_confirm(request):
    from datetime import datetime

    stored = request.session.pop(SESSION_KEY, None)
    if not stored:
        messages.error(request, _("Không còn bản xem trước. Hãy tải tệp lên lại."))
        return redirect("payments_statement_import")
    rows = [
        services.transfers.StatementRow(
            **{**row, "occurred_at": datetime.fromisoformat(row["occurred_at"])}
        )
        for row in stored
    ]
    counts = services.statement_import(rows=rows)
    messages.success(
        request,
        _(
            "Đã nhập sao kê: %(matched)s khớp đơn, %(flagged)s cần xem lại, "
            "%(known)s đã có từ trước."
        )
        % {
            "matched": counts.get(TransferMatch.MATCHED, 0),
            "flagged": sum(
                counts.get(key, 0)
                for key in (
                    TransferMatch.UNDERPAID,
                    TransferMatch.OVERPAID,
                    TransferMatch.UNMATCHED,
                )
            ),
            "known": counts["known"],
        },
    )
    return redirect("payments_banktransfer:index")


@hooks.register("register_admin_urls")
def register_statement_url():
    return [
        path(
            "thanh-toan/nhap-sao-ke/",
            statement_import_view,
            name="payments_statement_import",
        )
    ]


@hooks.register("register_admin_menu_item")
def register_statement_menu_item():
    return OperatorMenuItem(
        _("Nhập sao kê ngân hàng"),
        reverse("payments_statement_import"),
        icon_name="upload",
        order=221,
    )
