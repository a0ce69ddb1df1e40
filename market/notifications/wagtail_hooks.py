"""Admin: the delivery log (operator: every row; a seller's staff: their
own store's), each store's way of being told (the farmer edits it), and the
on-screen word that a submitted product waits for the operator (issue #13).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from market.access import sellers_of, user_is_operator
from market.models import ProductPage
from market.staff.access import ScopedViewSetMixin, SellerScopedPolicy

from .models import Delivery, NotificationPreference
from .phones import msisdn_display
from .services import preference_clean, preference_set

register_permission_policy(
    Delivery, SellerScopedPolicy(Delivery, seller_field="seller", actions={"view"})
)
register_permission_policy(
    NotificationPreference,
    SellerScopedPolicy(
        NotificationPreference, seller_field="seller", actions={"view", "add", "change"}
    ),
)

PREFERENCE_FIELDS = ["seller", "channel", "phone", "email"]


class PreferenceForm(WagtailAdminModelForm):
    """The store field offers only the user's own stores (hidden when one);
    the phone is checked and stored as 84…, shown as the farmer writes it."""

    class Meta:
        model = NotificationPreference
        fields = PREFERENCE_FIELDS
        widgets = {"channel": forms.RadioSelect}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        sellers = sellers_of(for_user)
        self.fields["seller"].queryset = sellers
        if len(sellers) == 1:
            self.fields["seller"].initial = sellers[0]
            self.fields["seller"].widget = forms.HiddenInput()
        self.fields["phone"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "tel"}
        )
        if self.instance.phone:
            self.initial["phone"] = msisdn_display(self.instance.phone)

    def clean_seller(self):
        seller = self.cleaned_data["seller"]
        taken = NotificationPreference.objects.filter(seller=seller).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise ValidationError(
                _("Cửa hàng này đã chọn cách nhận tin. Hãy sửa dòng đã có.")
            )
        return seller

    def clean(self):
        cleaned = super().clean()
        if "channel" in cleaned and not self.has_error("phone"):
            try:
                cleaned["phone"] = preference_clean(
                    channel=cleaned["channel"], phone=cleaned.get("phone", "")
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def validate_unique(self):
        pass  # checked in clean_seller, with words a farmer understands


class PreferenceSaveMixin:
    def save_instance(self):
        data = self.form.cleaned_data
        return preference_set(
            seller=data["seller"],
            channel=data["channel"],
            phone=data["phone"],
            email=data.get("email", ""),
        )


class PreferenceCreateView(PreferenceSaveMixin, generic.CreateView):
    pass


class PreferenceEditView(PreferenceSaveMixin, generic.EditView):
    pass


class PreferenceViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "notifications_preference"
    url_prefix = "tin-bao/cach-nhan"
    model = NotificationPreference
    icon = "mobile-alt"
    menu_label = _("Cách nhận tin báo")
    copy_view_enabled = False
    add_view_class = PreferenceCreateView
    edit_view_class = PreferenceEditView
    form_fields = PREFERENCE_FIELDS
    list_display = [
        Column("seller", label=_("Cửa hàng")),
        "channel",
        "phone",
        "email",
        DateColumn("updated_at", label=_("Sửa lúc")),
    ]

    def get_form_class(self, for_update=False):
        return PreferenceForm

    def get_queryset(self, request):
        return NotificationPreference.objects.select_related("seller")


class DeliveryViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "notifications_delivery"
    url_prefix = "tin-bao/nhat-ky"
    model = Delivery
    icon = "list-ul"
    menu_label = _("Nhật ký tin báo")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        DateColumn("created_at", label=_("Tạo lúc")),
        "kind",
        "channel",
        "recipient",
        "status",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient", "text", "provider_message_id"]
    inspect_view_fields = [
        "created_at",
        "seller",
        "kind",
        "channel",
        "recipient",
        "subject",
        "text",
        "status",
        "attempts",
        "provider_message_id",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    form_fields = []

    def get_queryset(self, request):
        return Delivery.objects.select_related("seller")


class NotificationsGroup(ViewSetGroup):
    menu_label = _("Tin báo")
    menu_icon = "mail"
    menu_order = 240
    items = (PreferenceViewSet, DeliveryViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return NotificationsGroup()


# --- products waiting for the operator (issue #13) ---------------------------


def _waiting_text(page) -> str:
    return _(
        "Đã gửi “%(title)s” cho ban quản lý chợ duyệt. Sản phẩm chưa hiện trên "
        "chợ cho đến khi được duyệt; bạn sẽ nhận tin báo khi sản phẩm được đăng."
    ) % {"title": page.title}


def _submitted_product(request, page) -> bool:
    return (
        request.method == "POST"
        and not user_is_operator(request.user)
        and "action-submit" in request.POST
        and isinstance(page.specific, ProductPage)
        and page.workflow_in_progress
    )


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def say_product_waits_for_approval(request, page):
    if _submitted_product(request, page):
        messages.warning(request, _waiting_text(page))


@hooks.register("before_edit_page")
def say_product_is_in_moderation(request, page):
    # The edit page of a product in moderation tells its farmer so at the
    # top (the operator sees Wagtail's own moderation controls).
    if (
        request.method == "GET"
        and not user_is_operator(request.user)
        and isinstance(page.specific, ProductPage)
        and page.workflow_in_progress
    ):
        messages.info(
            request,
            _(
                "Sản phẩm này đang chờ ban quản lý chợ duyệt. Khách chỉ thấy bản "
                "đã được duyệt; bạn sẽ nhận tin báo khi bản mới được đăng."
            ),
        )
