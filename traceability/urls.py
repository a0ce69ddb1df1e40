"""Public URLs of this app (included from cms/urls.py)."""

from django.urls import path

from traceability import qr_views, urls_scan

urlpatterns: list = [
    path(
        "truy-xuat/lo/<int:lot_id>/qr.png",
        qr_views.lot_qr,
        {"fmt": "png"},
        name="traceability_lot_qr_png",
    ),
    path(
        "truy-xuat/lo/<int:lot_id>/qr.svg",
        qr_views.lot_qr,
        {"fmt": "svg"},
        name="traceability_lot_qr_svg",
    ),
]

urlpatterns += urls_scan.urlpatterns  # the public scan page
