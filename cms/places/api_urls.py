from django.urls import path

from cms.places.api import PlaceList

urlpatterns = [path("places/", PlaceList.as_view(), name="places-list")]
