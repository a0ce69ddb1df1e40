"""Public forms of checkout: cart lines and the checkout form."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from market import places
from market.checkout.models import PaymentMethod
from market.checkout.services.cart import line_quantity_limit
from market.identifiers import phone_normalize
from market.tickets.models import TimeSlot

REQUIRED = _("Hãy điền mục này.")


class CartLineForm(forms.Form):
    """One line of the cart page, or the product page's “add to cart” form.

    The upper bound is `line_quantity_limit()`, the number the cart services
    and the order keep too.
    """

    variant = forms.IntegerField(min_value=1, widget=forms.HiddenInput, required=False)
    # A tourism ticket's dated slot; its variant comes with it.
    slot = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Số lượng"),
        min_value=0,
        initial=1,
        error_messages={
            "invalid": _("Hãy ghi số lượng bằng chữ số, ví dụ 2."),
            "min_value": _("Số lượng không được âm."),
            "required": _("Hãy ghi số lượng."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = line_quantity_limit()
        field = self.fields["quantity"]
        field.max_value = limit
        field.validators.append(
            MaxValueValidator(
                limit,
                message=_("Mỗi đơn đặt tối đa %(limit)s cho một loại hàng.")
                % {"limit": limit},
            )
        )
        field.widget.attrs["max"] = limit

    def clean(self):
        cleaned = super().clean()
        slot_id = cleaned.get("slot")
        if slot_id and not cleaned.get("variant"):
            slot = TimeSlot.objects.filter(pk=slot_id).first()
            cleaned["variant"] = slot.variant_id if slot else None
        if not cleaned.get("variant") and "variant" not in self.errors:
            message = (
                _("Hãy chọn ngày và giờ tham quan.")
                if "slot" in self.data
                else _("Hãy chọn loại hàng.")
            )
            self.add_error("variant", message)
        return cleaned


def _province_choices():
    return [("", _("— Chọn tỉnh / thành phố —")), *places.provinces()]


class CheckoutForm(forms.Form):
    """Who receives the goods, where, and how they pay. Short and one column.

    The ward list depends on the province. With JavaScript, choosing the
    province fills the ward list and the fees in place (checkout.js); without
    it the shopper presses “Hiện phường / xã” and the form comes back, with
    what was typed, that province's wards and each seller's shipping fee.
    """

    customer_name = forms.CharField(
        label=_("Họ tên người nhận"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Bưu tá gọi số này khi giao hàng. Ví dụ: 0912 345 678."),
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
        ),
    )
    email = forms.EmailField(
        label=_("E-mail (không bắt buộc)"),
        required=False,
        help_text=_("Để nhận thư báo đơn hàng."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _(
                "E-mail chưa đúng dạng, ví dụ: ten@gmail.com. Có thể bỏ trống."
            )
        },
    )
    province_code = forms.TypedChoiceField(
        label=_("Tỉnh / thành phố"), coerce=int, choices=_province_choices
    )
    ward_code = forms.TypedChoiceField(label=_("Phường / xã"), coerce=int, choices=())
    address_line = forms.CharField(
        label=_("Số nhà, thôn / ấp, đường"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    payment_method = forms.ChoiceField(
        label=_("Cách thanh toán"),
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args,
        province_code: int | None = None,
        focus_ward: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED
        self.fields["payment_method"].error_messages["required"] = _(
            "Hãy chọn cách thanh toán."
        )
        self.fields["province_code"].error_messages["required"] = _(
            "Hãy chọn tỉnh / thành phố."
        )
        self.fields["ward_code"].error_messages["required"] = _("Hãy chọn phường / xã.")
        wards = places.wards(province_code) if province_code else []
        self.fields["ward_code"].choices = [("", _("— Chọn phường / xã —")), *wards]
        if wards and focus_ward:
            # Back from the province step: the next thing to pick is the ward.
            self.fields["ward_code"].widget.attrs["autofocus"] = True
        if not wards:
            self.fields["ward_code"].help_text = _(
                "Chọn tỉnh / thành phố trước: danh sách phường / xã hiện ra theo tỉnh."
            )
        invalid_choice = _("Lựa chọn này không có trong danh sách. Hãy chọn lại.")
        self.fields["ward_code"].error_messages["invalid_choice"] = invalid_choice
        self.fields["province_code"].error_messages["invalid_choice"] = invalid_choice

    def clean_phone(self) -> str:
        phone = phone_normalize(self.cleaned_data["phone"])
        if not phone:
            raise forms.ValidationError(
                _(
                    "Số di động chưa đúng: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08"
                    " hoặc 09 (hoặc +84). Ví dụ: 0912345678."
                )
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        province, ward = cleaned.get("province_code"), cleaned.get("ward_code")
        if (
            province
            and ward
            and not places.is_valid_ward(province_code=province, ward_code=ward)
        ):
            self.add_error(
                "ward_code", _("Phường/xã này không thuộc tỉnh đã chọn. Hãy chọn lại.")
            )
        return cleaned


def province_from(data) -> int | None:
    """The province code a (possibly incomplete) form submission chose."""
    try:
        code = int(data.get("province_code") or 0)
    except (TypeError, ValueError):
        return None
    return code if places.province_name(code) else None
