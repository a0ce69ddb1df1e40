"""Admin: a phone-friendly farm diary form (one screen, big buttons, works
without JavaScript) and the list of recent entries with "correct this".

Entries are only ever added (`services.farms.diary_entry_add`); correcting
one opens the same form prefilled, and saving adds a new entry pointing at
the old one.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.images import get_image_model

from market.staff.pages import AdminPageMixin
from traceability.models import DiaryEntry, DiaryKind, InputType
from traceability.selectors import farms_visible_to
from traceability.selectors_scan import DIARY_PHOTO_SPEC
from traceability.services.farms import diary_entry_add
from traceability.tasks_scan import scan_photo_prepare_task

PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
INPUT_ONLY = ("input_type", "input_product", "active_ingredient", "dose")


def check_photo(upload) -> str:
    """The photo's real format (by content, not by name), or ValidationError.

    Rule kept: only JPEG, PNG or WebP under the size and pixel limits are
    stored; a renamed PDF or a decompression bomb is refused.
    """
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("Ảnh lớn quá (tối đa 8 MB). Hãy chụp lại với cỡ nhỏ hơn.")
        )
    try:
        upload.seek(0)
        with PILImage.open(upload) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError) as exc:
        raise ValidationError(
            _("Tệp này không phải ảnh. Hãy chọn ảnh JPEG, PNG hoặc WebP.")
        ) from exc
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("Chỉ nhận ảnh JPEG, PNG hoặc WebP."))
    if width * height > PHOTO_MAX_PIXELS:
        raise ValidationError(
            _("Ảnh có quá nhiều điểm ảnh. Hãy chụp lại với cỡ nhỏ hơn.")
        )
    return PHOTO_FORMATS[kind]


class DiaryForm(forms.Form):
    farm = forms.ModelChoiceField(
        label=_("Vườn / cơ sở"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Việc đã làm"), choices=DiaryKind.choices, widget=forms.RadioSelect
    )
    occurred_at = forms.DateTimeField(
        label=_("Lúc nào"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    input_type = forms.ChoiceField(
        label=_("Loại vật tư"),
        choices=InputType.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    input_product = forms.CharField(
        label=_("Tên sản phẩm"), max_length=150, required=False
    )
    active_ingredient = forms.CharField(
        label=_("Hoạt chất"), max_length=150, required=False
    )
    dose = forms.CharField(
        label=_("Liều lượng"),
        max_length=80,
        required=False,
        help_text=_("Ví dụ: 20 ml / bình 16 lít"),
    )
    pre_harvest_days = forms.IntegerField(
        label=_("Thời gian cách ly (ngày)"),
        min_value=0,
        max_value=365,
        required=False,
        help_text=_("In trên bao bì thuốc: số ngày phải chờ mới được thu hoạch."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("Ảnh (không bắt buộc)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "image/jpeg,image/png,image/webp",
                "capture": "environment",
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms_visible_to(user=user).order_by("name")

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            check_photo(photo)
        return photo

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != DiaryKind.INPUT:
            # Without JavaScript the input fields stay in the page; what was
            # typed there before switching kind is not part of this entry.
            for name in INPUT_ONLY:
                cleaned[name] = ""
            cleaned["pre_harvest_days"] = None
        return cleaned


def _store_photo(upload, *, farm, user):
    image_model = get_image_model()
    collection = getattr(farm.seller, "collection", None)
    extra = {"collection": collection} if collection else {}
    image = image_model(
        title=_("Nhật ký %(farm)s %(day)s")
        % {"farm": farm.name, "day": timezone.localdate().strftime("%d/%m/%Y")},
        file=upload,
        uploaded_by_user=user,
        **extra,
    )
    image.save()
    return image


class DiaryAddView(AdminPageMixin, FormView):
    template_name = "traceability/staff/diary_form.html"
    form_class = DiaryForm
    page_title = _("Ghi nhật ký")
    header_icon = "edit"

    def dispatch(self, request, *args, **kwargs):
        self.corrects = None
        corrects_id = request.GET.get("corrects") or request.POST.get("corrects")
        if corrects_id:
            self.corrects = (
                DiaryEntry.objects.filter(
                    farm__in=farms_visible_to(user=request.user), pk=corrects_id
                )
                .select_related("farm")
                .first()
            )
            if self.corrects is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        now = timezone.localtime().replace(second=0, microsecond=0)
        if self.corrects:
            old = self.corrects
            return {
                "farm": old.farm,
                "kind": old.kind,
                "occurred_at": timezone.localtime(old.occurred_at),
                "input_type": old.input_type,
                "input_product": old.input_product,
                "active_ingredient": old.active_ingredient,
                "dose": old.dose,
                "pre_harvest_days": old.pre_harvest_days,
                "note": old.note,
            }
        farms = farms_visible_to(user=self.request.user).order_by("name")[:2]
        initial = {"occurred_at": now}
        if len(farms) == 1:
            initial["farm"] = farms[0]
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["corrects"] = self.corrects
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            photo = (
                _store_photo(data["photo"], farm=data["farm"], user=self.request.user)
                if data.get("photo")
                else None
            )
            diary_entry_add(
                farm=data["farm"],
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                recorded_by=self.request.user,
                note=data["note"],
                photo=photo,
                input_type=data["input_type"],
                input_product=data["input_product"],
                active_ingredient=data["active_ingredient"],
                dose=data["dose"],
                pre_harvest_days=data["pre_harvest_days"],
                corrects=self.corrects,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    target = field if field in form.fields else None
                    for item in errors:
                        form.add_error(target, item)
            else:
                for message in error.messages:
                    form.add_error(None, message)
            return self.form_invalid(form)
        if photo is not None:
            # The thumbnail the public scan page shows (it never renders one).
            scan_photo_prepare_task.enqueue(photo.pk, DIARY_PHOTO_SPEC)
        messages.success(self.request, _("Đã ghi vào nhật ký."))
        return redirect("traceability_diary")


class DiaryIndexView(AdminPageMixin, TemplateView):
    template_name = "traceability/staff/diary_index.html"
    page_title = _("Nhật ký đồng ruộng")
    header_icon = "list-ul"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        farms = farms_visible_to(user=self.request.user)
        since = timezone.now() - dt.timedelta(days=90)
        context["entries"] = (
            DiaryEntry.objects.filter(farm__in=farms, occurred_at__gte=since)
            .select_related("farm", "recorded_by", "corrects")
            .prefetch_related("corrections")
            .order_by("-occurred_at", "-pk")[:100]
        )
        context["has_farms"] = farms.exists()
        return context


@hooks.register("register_admin_urls")
def register_diary_urls():
    return [
        path("truy-xuat/nhat-ky/", DiaryIndexView.as_view(), name="traceability_diary"),
        path(
            "truy-xuat/nhat-ky/ghi/",
            DiaryAddView.as_view(),
            name="traceability_diary_add",
        ),
    ]


class DiaryMenuItem(MenuItem):
    def is_shown(self, request):
        return farms_visible_to(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_diary_menu_item():
    return DiaryMenuItem(
        _("Ghi nhật ký"), reverse("traceability_diary"), icon_name="edit", order=620
    )
