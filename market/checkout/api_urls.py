"""REST API URLs of this app, mounted under /api/v1/ by cms/urls.py."""

from django.urls import path

from market.checkout.api import OrderCreateView, OrderDetailView

urlpatterns = [
    path("orders/", OrderCreateView.as_view(), name="api-order-create"),
    path("orders/<str:number>/", OrderDetailView.as_view(), name="api-order-detail"),
]
