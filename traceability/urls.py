"""Public URLs of this app (included from cms/urls.py)."""

from traceability import urls_scan

urlpatterns: list = []

urlpatterns += urls_scan.urlpatterns  # the public scan page (H8)
