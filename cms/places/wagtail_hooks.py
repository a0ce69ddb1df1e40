"""Admin for place pages: the printable QR plaque (a button on the page) and
the plaque scan counts per place (Reports menu, operator only)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from cms.places.models import PlacePage
from cms.places.plaque import plaque_pdf
from cms.places.selectors import place_scan_counts
from market.access import user_is_operator


def place_qr_url(place: PlacePage) -> str:
    """What the plaque's code holds: the page, marked as a plaque scan."""
    return f"{settings.SITE_URL.rstrip('/')}{place.get_url()}?qr=1"


def plaque_view(request, pk: int):
    place = get_object_or_404(PlacePage, pk=pk)
    if not (
        user_is_operator(request.user)
        or place.permissions_for_user(request.user).can_edit()
    ):
        raise PermissionDenied
    pdf = plaque_pdf(
        title=place.title,
        subtitle=", ".join(p for p in (place.ward_name, place.province_name) if p),
        url=place_qr_url(place),
        call_to_action=_("Quét mã để đọc và nghe câu chuyện của nơi này."),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bang-qr-{place.slug}.pdf"'
    return response


def scan_counts_view(request):
    if not user_is_operator(request.user):
        raise PermissionDenied
    return render(
        request,
        "places/admin/scan_counts.html",
        {
            "places": place_scan_counts(days=30),
            "page_title": _("Lượt quét bảng QR địa danh"),
            "header_title": _("Lượt quét bảng QR địa danh"),
        },
    )


@hooks.register("register_admin_urls")
def register_place_urls():
    return [
        path("dia-danh/<int:pk>/bang-qr.pdf", plaque_view, name="places_plaque"),
        path("dia-danh/luot-quet/", scan_counts_view, name="places_scan_counts"),
    ]


@hooks.register("register_page_header_buttons")
def plaque_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, PlacePage) and page.pk:
        yield Button(
            gettext_lazy("In bảng QR (A5)"),
            reverse("places_plaque", args=[page.pk]),
            icon_name="download",
            priority=80,
        )


class OperatorReportItem(MenuItem):
    def is_shown(self, request):
        return user_is_operator(request.user)


@hooks.register("register_reports_menu_item")
def register_scan_counts_item():
    return OperatorReportItem(
        gettext_lazy("Lượt quét bảng QR địa danh"),
        reverse("places_scan_counts"),
        icon_name="view",
        order=810,
    )
