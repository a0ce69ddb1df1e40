"""Public scan page URLs: GS1 Digital Link paths, the short `/q/` form, and
the problem report. Included from `traceability/urls.py`."""

from django.urls import path, re_path

from traceability import views

# Shapes only; `digital_link.parse` checks the details, so a near-miss (bad
# GTIN check digit, odd characters) still reaches the page and is told why.
urlpatterns = [
    re_path(
        r"^01/(?P<gtin>\d{8,14})/10/(?P<lot>[^/]+)(?:/21/(?P<serial>[^/]+))?/?$",
        views.scan,
        name="scan-gs1",
    ),
    re_path(
        r"^q/(?P<lot_id>\d+)(?:/(?P<serial>[^/]+))?/?$", views.scan, name="scan-short"
    ),
    path("truy-xuat/bao-loi/", views.scan_report, name="scan-report"),
    path(
        "truy-xuat/bao-loi/cam-on/", views.scan_report_thanks, name="scan-report-thanks"
    ),
]
