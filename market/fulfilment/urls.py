"""Public URLs of this app (included from cms/urls.py): the partner portal."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import portal

app_name = "fulfilment"

urlpatterns = [
    path("buu-dien/", portal.parcel_list, name="parcels"),
    path("buu-dien/dang-nhap/", portal.LoginView.as_view(), name="login"),
    path(
        "buu-dien/dang-xuat/",
        auth_views.LogoutView.as_view(next_page="fulfilment:login"),
        name="logout",
    ),
    path("buu-dien/tem.pdf", portal.labels_bulk, name="labels"),
    path("buu-dien/kien/<str:tracking_code>/", portal.parcel_detail, name="parcel"),
    path(
        "buu-dien/kien/<str:tracking_code>/nhan/",
        portal.parcel_accept,
        name="accept",
    ),
    path(
        "buu-dien/kien/<str:tracking_code>/tem.pdf",
        portal.parcel_label,
        name="label",
    ),
]
