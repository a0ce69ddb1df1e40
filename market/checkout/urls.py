"""Public URLs of this app (included from cms/urls.py)."""

from django.urls import path

from market.checkout import views

app_name = "checkout"

urlpatterns = [
    path("gio-hang/", views.cart_detail, name="cart"),
    path("gio-hang/them/", views.cart_add, name="cart_add"),
    path("thanh-toan/", views.checkout, name="checkout"),
    path("don-hang/<str:number>/", views.order_detail, name="order"),
]
