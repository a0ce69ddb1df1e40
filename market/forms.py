"""Public forms of the market app: the seller application."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from market import places
from market.identifiers import (
    BANK_ACCOUNT_NAME_MAX,
    bank_account_name_normalize,
    bank_account_name_validator,
    normalize_tax_code,
    phone_normalize,
    tax_code_validator,
)
from market.models import Seller, SellerApplication, SellerKind

# A short list of NAPAS member banks (BIN, name) that rural sellers use most;
# the BIN is what VietQR payouts need.
NAPAS_BANKS = [
    ("970405", "Agribank"),
    ("970436", "Vietcombank"),
    ("970415", "VietinBank"),
    ("970418", "BIDV"),
    ("970449", "LPBank (Bưu điện Liên Việt)"),
    ("970446", "Co-opBank (Ngân hàng Hợp tác xã)"),
    ("970422", "MB Bank"),
    ("970407", "Techcombank"),
    ("970416", "ACB"),
    ("970432", "VPBank"),
    ("970403", "Sacombank"),
    ("970423", "TPBank"),
    ("970437", "HDBank"),
    ("970441", "VIB"),
    ("970443", "SHB"),
]


def bank_name(bin_code: str) -> str:
    return dict(NAPAS_BANKS).get(bin_code, bin_code)


def _province_choices():
    return [("", _("— Chọn tỉnh / thành phố —")), *places.provinces()]


class SellerApplicationForm(forms.Form):
    """Short, one column, plain words; every error says what to do next.

    The ward list depends on the province: without JavaScript the applicant
    first presses “Chọn tỉnh này” and the form comes back with that province's
    wards; a small script does the same in place when JavaScript runs.
    """

    kind = forms.ChoiceField(
        label=_("Bạn bán hàng với tư cách"),
        choices=SellerKind.choices,
        widget=forms.RadioSelect,
        initial=SellerKind.HOUSEHOLD,
    )
    legal_name = forms.CharField(
        label=_("Tên hộ kinh doanh / hợp tác xã / doanh nghiệp"),
        max_length=200,
        help_text=_("Ghi đúng như trên giấy đăng ký kinh doanh."),
        error_messages={
            "max_length": _(
                "Tên dài tối đa %(limit_value)d ký tự. Ghi đúng tên trên giấy "
                "đăng ký kinh doanh (bạn đã ghi %(show_value)d ký tự)."
            )
        },
    )
    tax_code = forms.CharField(
        label=_("Mã số thuế"),
        max_length=20,
        help_text=_("10 chữ số, in trên giấy đăng ký kinh doanh."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    contact_name = forms.CharField(
        label=_("Họ tên người liên hệ"),
        max_length=100,
        error_messages={
            "max_length": _(
                "Họ tên dài tối đa %(limit_value)d ký tự "
                "(bạn đã ghi %(show_value)d ký tự)."
            )
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Số này sẽ là tên đăng nhập của bạn."),
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
        ),
    )
    email = forms.EmailField(
        label=_("E-mail (không bắt buộc)"),
        required=False,
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
    ward_code = forms.TypedChoiceField(
        label=_("Phường / xã"), coerce=int, choices=(), required=True
    )
    address_line = forms.CharField(
        label=_("Thôn, số nhà, đường (không bắt buộc)"),
        max_length=200,
        required=False,
        error_messages={
            "max_length": _(
                "Địa chỉ dài tối đa %(limit_value)d ký tự: chỉ ghi thôn, số nhà, "
                "đường (bạn đã ghi %(show_value)d ký tự)."
            )
        },
    )
    bank_bin = forms.ChoiceField(
        label=_("Ngân hàng nhận tiền bán hàng"),
        choices=[("", _("— Chọn ngân hàng —")), *NAPAS_BANKS],
    )
    bank_account_number = forms.CharField(
        label=_("Số tài khoản"),
        max_length=19,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    bank_account_name = forms.CharField(
        label=_("Tên chủ tài khoản"),
        max_length=BANK_ACCOUNT_NAME_MAX,
        help_text=_(
            "Chữ in hoa không dấu, như trên thẻ ngân hàng, ví dụ: NGUYEN VAN AN."
        ),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off"}
        ),
        error_messages={
            "max_length": _(
                "Tên chủ tài khoản dài tối đa %(limit_value)d ký tự, như in trên thẻ."
            )
        },
    )

    error_messages_required = _("Hãy điền mục này.")

    def __init__(self, *args, province_code: int | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = self.error_messages_required
        self.fields["province_code"].error_messages["required"] = _(
            "Hãy chọn tỉnh / thành phố."
        )
        self.fields["ward_code"].error_messages["required"] = _(
            "Hãy chọn phường / xã (chọn tỉnh trước, rồi bấm “Chọn tỉnh này”)."
        )
        self.fields["bank_bin"].error_messages["required"] = _("Hãy chọn ngân hàng.")
        self.province = province_code or self._province_from_data()
        wards = places.wards(self.province) if self.province else []
        self.fields["ward_code"].choices = [
            ("", _("— Chọn phường / xã —") if wards else _("— Chọn tỉnh trước —")),
            *wards,
        ]

    def _province_from_data(self) -> int | None:
        source = self.data if self.is_bound else self.initial
        try:
            return int(source.get("province_code") or 0) or None
        except (TypeError, ValueError):
            return None

    def clean_tax_code(self) -> str:
        raw = self.cleaned_data["tax_code"]
        tax_code_validator(raw)
        code = normalize_tax_code(raw)
        if Seller.objects.filter(tax_code=code).exists():
            raise forms.ValidationError(
                _(
                    "Mã số thuế này đã có cửa hàng trên Nguồn Quê. Nếu bạn quên cách "
                    "đăng nhập, hãy gọi đường dây nóng của chợ."
                )
            )
        pending = SellerApplication.objects.filter(tax_code=code, status="pending")
        if pending.exists():
            raise forms.ValidationError(
                _(
                    "Đã có hồ sơ với mã số thuế này đang chờ duyệt. Hãy mở đường dẫn "
                    "theo dõi hồ sơ đã nhận, không cần nộp lại."
                )
            )
        return code

    def clean_phone(self) -> str:
        phone = phone_normalize(self.cleaned_data["phone"])
        if not phone:
            raise forms.ValidationError(
                _(
                    "Số điện thoại chưa đúng. Hãy ghi số di động 10 chữ số, bắt đầu "
                    "bằng 03, 05, 07, 08 hoặc 09, ví dụ 0905 123 456."
                )
            )
        return phone

    def clean_bank_account_number(self) -> str:
        number = "".join(self.cleaned_data["bank_account_number"].split())
        if not number.isdigit() or not 6 <= len(number) <= 19:
            raise forms.ValidationError(
                _("Số tài khoản chỉ gồm chữ số (6 đến 19 số). Hãy xem lại trên thẻ.")
            )
        return number

    def clean_bank_account_name(self) -> str:
        name = bank_account_name_normalize(self.cleaned_data["bank_account_name"])
        bank_account_name_validator(name)
        return name

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


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do từ chối (người nộp sẽ đọc được)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Viết rõ cần bổ sung hay sửa gì, ví dụ: ảnh giấy phép bị mờ."),
    )
