"""Public URLs of this app (included from cms/urls.py)."""

from django.urls import path

from market import views

urlpatterns = [
    path("dang-ky-ban-hang/", views.seller_apply, name="seller_apply"),
    path(
        "dang-ky-ban-hang/ho-so/<str:token>/",
        views.seller_application_status,
        name="seller_application_status",
    ),
    path("dang-ky-ban-hang/phuong-xa/", views.ward_options, name="seller_apply_wards"),
    path(
        "chung-nhan/<int:pk>/ban-chup/",
        views.certification_scan,
        name="certification_scan",
    ),
]
