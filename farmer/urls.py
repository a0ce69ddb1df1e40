"""The farmer area, `/nong-dan/` (included from cms/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "farmer"

urlpatterns = [
    path("", views.today, name="today"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path(
        "dang-xuat/",
        auth_views.LogoutView.as_view(next_page="farmer:login"),
        name="logout",
    ),
    path("sw.js", views.service_worker, name="service_worker"),
    path("don-hang/", views.orders, name="orders"),
    path("don-hang/<int:shipment_id>/", views.order_detail, name="order"),
    path("ton-kho/", views.stock, name="stock"),
    path("nhat-ky/", views.diary, name="diary"),
    path("thu-hoach/", views.harvest, name="harvest"),
    path("tem/", views.labels, name="labels"),
    path("tem/lo/<int:lot_id>/in/", views.label_print, name="label_print"),
    path("tem/lo/<int:lot_id>/qr.png", views.lot_qr_png, name="lot_qr"),
    path("tem/dot/<int:run_id>/tem.pdf", views.label_run_pdf, name="label_pdf"),
    path("tien/", views.payouts, name="payouts"),
]
