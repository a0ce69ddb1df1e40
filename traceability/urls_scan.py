"""Public scan page URLs: GS1 Digital Link paths, the short `/q/` form, and
the problem report. Included from `traceability/urls.py`."""

from django.urls import path, re_path

from traceability import resolver, views

# Shapes only; `digital_link.parse` checks the details, so a near-miss (bad
# GTIN check digit, odd characters) still reaches the page and is told why
# (status 400). The GS1 resolver (`traceability.resolver`) answers linksets,
# link types, HEAD and OPTIONS on the same URIs.
scan_resolved = resolver.gs1_resolver(views.scan)

urlpatterns = [
    re_path(
        r"^01/(?P<gtin>\d{8,14})/10/(?P<lot>[^/]+)(?:/21/(?P<serial>[^/]+))?/?$",
        scan_resolved,
        name="scan-gs1",
    ),
    re_path(r"^01/(?P<gtin>\d{8,14})/?$", scan_resolved, name="resolve-gtin"),
    re_path(r"^01/", resolver.not_a_digital_link(views.scan), name="resolve-invalid"),
    path(
        ".well-known/gs1resolver",
        resolver.resolver_description,
        name="gs1-resolver-description",
    ),
    re_path(
        r"^q/(?P<lot_id>\d+)(?:/(?P<serial>[^/]+))?/?$", views.scan, name="scan-short"
    ),
    path("truy-xuat/bao-loi/", views.scan_report, name="scan-report"),
    path(
        "truy-xuat/bao-loi/cam-on/", views.scan_report_thanks, name="scan-report-thanks"
    ),
]
