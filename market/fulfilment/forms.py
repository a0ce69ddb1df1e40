"""Portal forms: short, labelled, Vietnamese."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PARCEL_TRANSITIONS, ParcelStatus


class ParcelFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *ParcelStatus.choices],
    )
    created_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    created_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ParcelStatusForm(forms.Form):
    """The next statuses this parcel may take, nothing else."""

    status = forms.ChoiceField(label=_("Trạng thái mới"), widget=forms.RadioSelect)
    location = forms.CharField(
        label=_("Địa điểm (không bắt buộc)"), max_length=200, required=False
    )
    note = forms.CharField(
        label=_("Ghi chú (không bắt buộc)"), max_length=300, required=False
    )

    def __init__(self, *args, parcel, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = PARCEL_TRANSITIONS[parcel.status] - {ParcelStatus.CANCELLED}
        self.fields["status"].choices = [
            (status.value, status.label) for status in ParcelStatus if status in allowed
        ]
