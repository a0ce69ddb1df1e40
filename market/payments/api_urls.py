"""REST API URLs of this app, mounted under /api/v1/ by cms/urls.py."""

from django.urls import path

from market.payments import api

urlpatterns = [
    path(
        "orders/<str:number>/refunds/",
        api.OrderRefundsView.as_view(),
        name="api-order-refunds",
    ),
]
