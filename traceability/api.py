"""Open data API: lots and their EPCIS 2.0 history (`/api/v1/lots/`).

Anyone may read it (no login): it shows what the printed codes already say
in public. Unit serial codes are not listed here.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from traceability.models import Lot
from traceability.selectors import lot_epcis_document
from traceability.services.links import lot_link


class LotPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class LotSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku")
    gtin = serializers.CharField(source="variant.gtin", allow_null=True)
    product = serializers.CharField(source="variant.product.title")
    digital_link = serializers.SerializerMethodField()
    qr_png = serializers.SerializerMethodField()
    qr_svg = serializers.SerializerMethodField()
    epcis = serializers.SerializerMethodField()

    class Meta:
        model = Lot
        fields = [
            "id",
            "sku",
            "gtin",
            "product",
            "code",
            "status",
            "harvested_on",
            "packed_on",
            "best_before",
            "digital_link",
            "qr_png",
            "qr_svg",
            "epcis",
        ]

    def _url(self, name: str, lot: Lot) -> str:
        return settings.SITE_URL + reverse(name, args=[lot.pk])

    def get_digital_link(self, lot: Lot) -> str:
        return lot_link(lot=lot)

    def get_qr_png(self, lot: Lot) -> str:
        return self._url("traceability_lot_qr_png", lot)

    def get_qr_svg(self, lot: Lot) -> str:
        return self._url("traceability_lot_qr_svg", lot)

    def get_epcis(self, lot: Lot) -> str:
        return self._url("lot-epcis", lot)


class LotViewSet(viewsets.ReadOnlyModelViewSet):
    """Lots, newest harvest first, with their Digital Link and QR image."""

    serializer_class = LotSerializer
    pagination_class = LotPagination
    queryset = Lot.objects.select_related("variant__product").order_by(
        "-harvested_on", "-pk"
    )

    @extend_schema(
        responses={(200, "application/ld+json"): OpenApiTypes.OBJECT},
        description="The lot's events as an EPCIS 2.0 EPCISDocument (JSON-LD).",
    )
    @action(detail=True, renderer_classes=[JSONLDRenderer, JSONRenderer])
    def epcis(self, request, pk=None):
        return Response(lot_epcis_document(lot=self.get_object()))
