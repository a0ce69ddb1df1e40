"""Open data: the commune's places as a public JSON list, for the
province's open-data portal (documented in the OpenAPI document)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from cms.places.selectors import places_open_data


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="title")
    name_en = serializers.CharField(source="title_en")
    category = serializers.CharField(source="kind")
    category_label = serializers.CharField(source="get_kind_display")
    province_code = serializers.IntegerField()
    province = serializers.CharField(source="province_name")
    ward_code = serializers.IntegerField(allow_null=True)
    ward = serializers.CharField(source="ward_name")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    opening_hours = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, place) -> str:
        return f"{settings.SITE_URL.rstrip('/')}{place.get_url()}"


class PlaceList(generics.ListAPIView):
    """The commune's places (heritage sites, craft villages, farms to visit):
    name, category, ward, map point (WGS 84) and page address."""

    serializer_class = PlaceSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        return places_open_data()
