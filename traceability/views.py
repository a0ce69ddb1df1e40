"""Public scan page (GS1 Digital Link and `/q/` paths) and the problem report.

Thin: `selectors_scan.scan_page_data` decides what to show, and
`services.scans` writes the scan log and reports. Never asks for a login.
"""

from __future__ import annotations

import time

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from market.checkout.clients import client_address
from traceability.selectors_scan import scan_page_data
from traceability.services.scans import (
    problem_report_create,
    report_rate_limited,
    scan_client_hash,
    scan_record,
)
from traceability.tasks_scan import copied_code_alert_task, scan_photo_prepare_task
from traceability.verdicts import Reason, Verdict, client_class

# Browsers may keep the page but must ask again before showing it, and no
# shared cache may store it: a recall has to turn the page red at once.
SCAN_CACHE_CONTROL = "private, no-cache"


class ReportForm(forms.Form):
    message = forms.CharField(
        label=_("Bạn thấy vấn đề gì?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.CharField(
        label=_("Số điện thoại hoặc e-mail (không bắt buộc)"),
        max_length=150,
        required=False,
        help_text=_("Để chúng tôi báo lại cho bạn kết quả."),
    )
    link = forms.CharField(max_length=300, widget=forms.HiddenInput)

    def clean_link(self) -> str:
        link = self.cleaned_data["link"]
        if not is_scan_path(link):
            raise forms.ValidationError(_("Đường dẫn mã không hợp lệ."))
        return link


def is_scan_path(link: str) -> bool:
    """Whether `link` is a path on this site to a scan page: it starts with
    /01/ or /q/ and holds only printable ASCII without spaces or backslashes,
    so it can go into an href as it is (no `javascript:`, no other host)."""
    return (
        link.startswith(("/01/", "/q/"))
        and link.isascii()
        and link.isprintable()
        and not any(char in link for char in ' \\"<>')
    )


def _client(request: HttpRequest) -> str:
    return scan_client_hash(address=client_address(request))


@require_safe
def scan(request: HttpRequest, **_kwargs) -> HttpResponse:
    started = time.perf_counter()
    path_and_query = request.get_full_path()
    client = _client(request)
    data = scan_page_data(path_and_query=path_and_query, client=client)
    if request.method == "GET":
        scan_record(
            lot_id=data.claimed_lot_id,
            serial=data.serial,
            client=client,
            client_class=client_class(request.META.get("HTTP_USER_AGENT", "")),
            verdict=data.verdict,
        )
        if data.verdict == Verdict.SUSPICIOUS and data.serial and data.claimed_lot_id:
            copied_code_alert_task.enqueue(data.claimed_lot_id, data.serial)
    for image_id, spec in data.missing_renditions:
        scan_photo_prepare_task.enqueue(image_id, spec)
    # An invalid code is the request's fault (400, as a GS1 resolver must
    # answer); a well-formed code of no lot of ours is not found (404).
    status = {Reason.MALFORMED: 400, Reason.UNKNOWN_LOT: 404}.get(
        data.outcome.reason, 200
    )
    response = render(
        request,
        "traceability/scan.html",
        {
            "data": data,
            "form": ReportForm(initial={"link": path_and_query}),
            "now": timezone.now(),
        },
        status=status,
    )
    response["Cache-Control"] = SCAN_CACHE_CONTROL
    response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


@require_POST
def scan_report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST)
    valid = form.is_valid()
    # Only a link that passed `clean_link` goes back into the page.
    context = {"form": form, "back_link": form.cleaned_data.get("link")}
    if not valid:
        return render(request, "traceability/scan_report.html", context, status=400)
    if report_rate_limited(client=_client(request)):
        context["rate_limited"] = True
        return render(request, "traceability/scan_report.html", context, status=429)
    problem_report_create(
        link=form.cleaned_data["link"],
        message=form.cleaned_data["message"],
        contact=form.cleaned_data["contact"],
    )
    return redirect("scan-report-thanks")


@require_safe
def scan_report_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "traceability/scan_report_thanks.html")
