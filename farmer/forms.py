"""Forms of the farmer area: few fields, big radio choices, Vietnamese
day/month/year dates, numbers typed on the phone's number pad."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.checkout.models import Shipment
from traceability.services.labels import MAX_LABELS_PER_RUN
from traceability.staff.diary import DiaryForm
from traceability.staff.packing import LotLinesForm

from . import selectors

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def phone_username(typed: str) -> str:
    """A phone number as our usernames spell it: digits only, +84/84 → 0
    ("0935 246 810", "+84 935.246.810" → "0935246810"). Anything that is
    not a phone number is left as typed (older usernames)."""
    digits = re.sub(r"[\s.\-()]", "", typed.strip())
    if re.fullmatch(r"\+?84\d{9}", digits):
        digits = "0" + digits.lstrip("+")[2:]
    return digits if re.fullmatch(r"0\d{9,10}", digits) else typed.strip()


class FarmerLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Số điện thoại hoặc mật khẩu chưa đúng. Hãy gõ lại; quên mật khẩu "
            "thì gọi người vận hành chợ."
        ),
        "inactive": _("Tài khoản này đang bị khóa. Hãy gọi người vận hành chợ."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Số điện thoại")
        self.fields["username"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "username", "autofocus": True}
        )
        self.fields["password"].label = _("Mật khẩu")

    def clean_username(self):
        return phone_username(self.cleaned_data["username"])


class FarmerDiaryForm(DiaryForm):
    """The admin's diary form (same fields and rules) for the farmer's own
    farms, with the id the phone (or this page) gave the entry."""

    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, seller_ids, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_id", uuid.uuid4())
        kwargs["initial"].setdefault(
            "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, user=None, **kwargs)
        farms = selectors.farms_of(seller_ids)
        self.fields["farm"].queryset = farms
        self.farm_count = farms.count()
        if self.farm_count == 1 and not self.is_bound:
            self.initial.setdefault("farm", farms.first())


class HarvestForm(forms.Form):
    farm = forms.ModelChoiceField(
        label=_("Thu hoạch ở vườn nào"), queryset=None, empty_label=None
    )
    variant = forms.ModelChoiceField(
        label=_("Sản phẩm"), queryset=None, empty_label=None
    )
    harvested_on = forms.DateField(
        label=_("Ngày thu hoạch"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    quantity = forms.IntegerField(
        label=_("Số lượng (đơn vị bán, ví dụ số chai, số túi)"),
        min_value=1,
        max_value=10_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    packed_on = forms.DateField(
        label=_("Ngày đóng gói (nếu đã đóng)"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    best_before = forms.DateField(
        label=_("Hạn sử dụng (nếu có)"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    code = forms.CharField(
        label=_("Mã lô (bỏ trống để tự đặt theo ngày, ví dụ 261015)"),
        max_length=20,
        required=False,
    )

    def __init__(self, *args, seller_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = selectors.farms_of(seller_ids)
        self.fields["variant"].queryset = selectors.variants_of(seller_ids)
        self.fields["variant"].label_from_instance = lambda variant: (
            f"{variant.product.title} ({variant.label})"
        )
        self.initial.setdefault("harvested_on", timezone.localdate())


class LabelPrintForm(forms.Form):
    count = forms.IntegerField(
        label=_("Số tem cần in"),
        min_value=1,
        max_value=MAX_LABELS_PER_RUN,
        initial=40,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class PackForm(LotLinesForm):
    """Per line: the lot it came from (first to expire suggested) and how
    many; a second lot when one lot did not have enough. Lines of products
    without lots need nothing. The lots come in one query
    (`selectors.packable_lots`)."""

    def __init__(self, *args, shipment: Shipment, lots: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for line in shipment.lines.all():
            choices = lots.get(line.variant_id, [])
            if not choices:
                self.rows.append((line, []))
                continue
            fields = self._pair(line, "", choices, first=True)
            if line.quantity > 1:
                fields += self._pair(line, "2", choices, first=False)
            self.rows.append((line, fields))

    def _pair(self, line, suffix, choices, *, first: bool) -> list:
        by_pk = {lot.pk: lot for lot in choices}
        lot_name, qty_name = f"lot{suffix}_{line.pk}", f"qty{suffix}_{line.pk}"
        options = [("", _("Không ghi lô"))] + [
            (
                lot.pk,
                _("Lô %(code)s, thu hoạch %(day)s")
                % {"code": lot.code, "day": lot.harvested_on.strftime("%d/%m/%Y")},
            )
            for lot in choices
        ]
        self.fields[lot_name] = forms.TypedChoiceField(
            choices=options,
            coerce=lambda pk: by_pk[int(pk)],
            empty_value=None,
            required=False,
            initial=choices[0].pk if first else "",
            label=_("Lấy từ lô nào") if first else _("Lô thứ hai, nếu một lô không đủ"),
        )
        self.fields[qty_name] = forms.IntegerField(
            min_value=1,
            max_value=line.quantity,
            required=first,
            initial=line.quantity if first else None,
            label=_("Số lượng") if first else _("Số lượng lấy từ lô thứ hai"),
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
        return [self[lot_name], self[qty_name]]
