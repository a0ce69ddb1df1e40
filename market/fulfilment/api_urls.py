"""REST API URLs of this app, mounted under /api/v1/ by cms/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import ParcelEventCreateView, ParcelViewSet

router = SimpleRouter()
router.register("parcels", ParcelViewSet, basename="parcel")

urlpatterns = [
    path(
        "parcels/<str:tracking_code>/events/",
        ParcelEventCreateView.as_view(),
        name="parcel-events",
    ),
    *router.urls,
]
