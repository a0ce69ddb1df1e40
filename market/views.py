"""Public views of the market app: seller application and its status page."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cms.private_files import private_file_response
from market import places
from market.forms import SellerApplicationForm, bank_name
from market.models import SellerApplication
from market.selectors import certifications_visible_to
from market.services.sellers import seller_application_submit

CHOOSE_PROVINCE = "choose_province"
SCAN_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}


@require_http_methods(["GET", "POST"])
def seller_apply(request):
    """The application form. Pressing “Chọn tỉnh này” (the no-JS path) only
    reloads the form with that province's wards; nothing is saved."""
    if request.method == "POST" and CHOOSE_PROVINCE not in request.POST:
        form = SellerApplicationForm(request.POST)
        if form.is_valid():
            application = seller_application_submit(**form.cleaned_data)
            return redirect("seller_application_status", token=application.access_token)
    elif request.method == "POST":
        form = SellerApplicationForm(initial=request.POST.dict())
    else:
        form = SellerApplicationForm(initial=request.GET.dict() or None)
    return render(request, "market/apply/form.html", {"form": form})


@require_GET
@never_cache
def seller_application_status(request, token: str):
    """Anyone holding the secret link sees that one application, nothing else."""
    if len(token) < 32:
        raise Http404
    application = get_object_or_404(SellerApplication, access_token=token)
    response = render(
        request,
        "market/apply/status.html",
        {"application": application, "bank_name": bank_name(application.bank_bin)},
    )
    # The token is in the URL: keep it out of Referer headers and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def ward_options(request):
    """Wards of one province as JSON, for the form's small enhancement script."""
    try:
        province = int(request.GET.get("province_code", ""))
    except ValueError:
        province = 0
    wards = places.wards(province) if province else []
    response = JsonResponse({"wards": [[code, name] for code, name in wards]})
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
@never_cache
def certification_scan(request, pk: int):
    """A certificate's scan, to the seller's staff and the operator only.

    Anyone else (another farmer, a shopper, anonymous) gets 404, the same as
    for a certificate that does not exist: a scan holds names and addresses.
    """
    certification = get_object_or_404(
        certifications_visible_to(user=request.user).exclude(scan=""), pk=pk
    )
    extension = certification.scan.name.rsplit(".", 1)[-1].lower()
    if extension not in SCAN_TYPES:
        raise Http404
    return private_file_response(
        request,
        certification.scan.name,
        filename=f"chung-nhan-{certification.pk}.{extension}",
        content_type=SCAN_TYPES[extension],
    )
