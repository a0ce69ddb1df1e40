"""Partner portal (`/buu-dien/…`): a post office's staff see and update
only their own parcels. Anyone else gets the sign-in page (not signed in),
a plain refusal (signed in, not partner staff) or a 404 (another partner's
parcel). Views are thin: reads from selectors, writes through services."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from market.access import partners_of_user

from . import labels
from .forms import ParcelFilterForm, ParcelStatusForm
from .models import ParcelStatus
from .selectors import parcels_filter, parcels_visible_to_user
from .services.parcels import ParcelTransitionError, parcel_set_status

MAX_BULK_LABELS = 100


def partner_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.get_full_path(), reverse("fulfilment:login")
            )
        if not partners_of_user(user=request.user).exists():
            return render(request, "fulfilment/portal/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


class LoginView(auth_views.LoginView):
    template_name = "fulfilment/portal/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("fulfilment:parcels")


@partner_staff_required
def parcel_list(request):
    form = ParcelFilterForm(request.GET or None)
    parcels = parcels_visible_to_user(user=request.user)
    if form.is_valid():
        parcels = parcels_filter(parcels, **form.cleaned_data)
    page = Paginator(parcels, 30).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "fulfilment/portal/parcel_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "partners": partners_of_user(user=request.user),
        },
    )


def _own_parcel(request, tracking_code):
    return get_object_or_404(
        parcels_visible_to_user(user=request.user), tracking_code=tracking_code
    )


@partner_staff_required
def parcel_detail(request, tracking_code):
    """The page a scanned label opens: the parcel and its next steps."""
    parcel = _own_parcel(request, tracking_code)
    form = ParcelStatusForm(request.POST or None, parcel=parcel)
    if request.method == "POST" and form.is_valid():
        try:
            parcel_set_status(
                parcel=parcel,
                status=form.cleaned_data["status"],
                location=form.cleaned_data["location"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ParcelTransitionError as error:
            messages.error(request, error.message)
        else:
            parcel.refresh_from_db()
            messages.success(
                request,
                _("Đã cập nhật: %(status)s.") % {"status": parcel.get_status_display()},
            )
        return redirect("fulfilment:parcel", tracking_code=parcel.tracking_code)
    return render(
        request,
        "fulfilment/portal/parcel_detail.html",
        {
            "parcel": parcel,
            "form": form,
            "events": parcel.events.select_related("actor"),
            "lines": parcel.shipment.lines.all(),
        },
    )


@require_POST
@partner_staff_required
def parcel_accept(request, tracking_code):
    parcel = _own_parcel(request, tracking_code)
    try:
        parcel_set_status(
            parcel=parcel, status=ParcelStatus.ACCEPTED, actor=request.user
        )
    except ParcelTransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Đã nhận kiện %(code)s.") % {"code": parcel.tracking_code}
        )
    if request.POST.get("next") == "list":
        return redirect("fulfilment:parcels")
    return redirect("fulfilment:parcel", tracking_code=parcel.tracking_code)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@partner_staff_required
def parcel_label(request, tracking_code):
    parcel = _own_parcel(request, tracking_code)
    return _pdf(labels.labels_pdf([parcel]), f"tem-{parcel.tracking_code}.pdf")


@partner_staff_required
def labels_bulk(request):
    """Labels of the ticked parcels; codes not the user's are ignored."""
    codes = request.GET.getlist("ma")[:MAX_BULK_LABELS]
    parcels = list(
        parcels_visible_to_user(user=request.user).filter(tracking_code__in=codes)
    )
    if not parcels:
        messages.error(request, _("Hãy đánh dấu ít nhất một kiện để in tem."))
        return redirect("fulfilment:parcels")
    return _pdf(labels.labels_pdf(parcels), "tem-gui-hang.pdf")
