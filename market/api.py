"""Public, read-only products API (`/api/v1/products/`).

Thin: query parameters are validated by a serializer, products come from
`market.selectors`, full-text search goes through Wagtail's search API
(whatever backend is configured), and each page of results is hydrated with
a fixed number of queries, plus one per tourism product (its upcoming time
slots, which the orders API takes as a ticket line's `slot`).
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from market import selectors
from market.models import CertificationKind, OcopCategory, ProductPage
from market.tickets.offers import product_slot_choices


class ProductPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ProductQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("Từ khóa tìm kiếm (có hoặc không dấu)."),
    )
    province = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Mã tỉnh/thành phố (2025).")
    )
    category = serializers.ChoiceField(
        required=False, choices=OcopCategory.choices, help_text=_("Nhóm sản phẩm OCOP.")
    )
    ocop_stars_min = serializers.IntegerField(required=False, min_value=3, max_value=5)
    vietgap = serializers.BooleanField(
        required=False, default=False, help_text=_("Chỉ hàng có VietGAP còn hạn.")
    )
    gtin = serializers.RegexField(
        r"^\s*\d{1,14}\s*$",
        required=False,
        help_text=_(
            "Mã vạch GTIN (8 đến 14 chữ số, có hay không có số 0 ở đầu đều được)."
        ),
        error_messages={
            "invalid": _("Mã vạch GTIN chỉ gồm chữ số, nhiều nhất 14 chữ số.")
        },
    )
    sku = serializers.CharField(
        required=False, max_length=40, help_text=_("Mã hàng (SKU) của người bán.")
    )

    def filters(self) -> selectors.ProductFilters:
        data = self.validated_data
        return selectors.ProductFilters(
            province_code=data.get("province"),
            category=data.get("category"),
            ocop_stars_min=data.get("ocop_stars_min"),
            vietgap=data.get("vietgap", False),
            gtin=data.get("gtin"),
            sku=data.get("sku"),
        )


class ProductListPagination(ProductPagination):
    """Pages of products; a search also says whether the products have only
    some of the words (`partial_match`)."""

    partial_match = False

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["partial_match"] = self.partial_match
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["partial_match"] = {
            "type": "boolean",
            "description": _(
                "Không sản phẩm nào có đủ mọi từ tìm kiếm: đây là những sản phẩm "
                "có một số từ."
            ),
        }
        return schema


class SellerSerializer(serializers.Serializer):
    name = serializers.CharField(source="legal_name")
    tax_code = serializers.CharField()
    province = serializers.CharField(source="province_name")
    province_code = serializers.IntegerField()
    ward = serializers.CharField(source="ward_name")
    ward_code = serializers.IntegerField(allow_null=True)


class OcopSerializer(serializers.Serializer):
    stars = serializers.IntegerField()
    certificate = serializers.CharField()
    valid = serializers.BooleanField(help_text=_("Đã duyệt và còn hạn."))


class VietgapSerializer(serializers.Serializer):
    certificate = serializers.CharField()
    valid = serializers.BooleanField(help_text=_("Đã duyệt và còn hạn."))


class VariantSerializer(serializers.Serializer):
    sku = serializers.CharField()
    gtin = serializers.CharField(
        source="gtin_printed",
        allow_null=True,
        help_text=_("Mã vạch như in dưới vạch (GTIN-8, 12, 13 hoặc 14)."),
    )
    label = serializers.CharField()
    weight_g = serializers.IntegerField()
    price_vnd = serializers.IntegerField(help_text=_("Giá bằng đồng (số nguyên)."))
    in_stock = serializers.SerializerMethodField()

    def get_in_stock(self, variant) -> bool:
        stock = getattr(variant, "stock", None)
        return bool(stock and stock.available > 0)


class TimeSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text=_("Mã khung giờ: ghi vào `slot` khi đặt vé.")
    )
    sku = serializers.CharField(source="variant.sku", help_text=_("Loại vé."))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    free = serializers.IntegerField(help_text=_("Số chỗ còn đặt được."))


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="title")
    url = serializers.SerializerMethodField()
    seller = SellerSerializer()
    category = serializers.CharField()
    category_name = serializers.CharField(source="get_category_display")
    unit = serializers.CharField()
    price_min = serializers.IntegerField(allow_null=True)
    ocop = serializers.SerializerMethodField()
    vietgap = serializers.SerializerMethodField()
    variants = VariantSerializer(many=True, source="active_variants")
    time_slots = serializers.SerializerMethodField(
        help_text=_(
            "Vé tham quan: các khung giờ sắp tới (sớm nhất trước); null với hàng hoá."
        )
    )

    def get_url(self, product) -> str:
        request = self.context.get("request")
        url = product.get_url(request=request) or ""
        return request.build_absolute_uri(url) if request and url else url

    @extend_schema_field(TimeSlotSerializer(many=True, allow_null=True))
    def get_time_slots(self, product):
        choices = product_slot_choices(product=product)
        if choices is None:
            return None
        return TimeSlotSerializer([choice.slot for choice in choices], many=True).data

    @extend_schema_field(OcopSerializer(allow_null=True))
    def get_ocop(self, product):
        found = selectors.product_certificate(
            product=product, kind=CertificationKind.OCOP
        )
        if found is None:
            return None
        cert, valid = found
        return {"stars": cert.stars, "certificate": cert.number, "valid": valid}

    @extend_schema_field(VietgapSerializer(allow_null=True))
    def get_vietgap(self, product):
        found = selectors.product_certificate(
            product=product, kind=CertificationKind.VIETGAP
        )
        if found is None:
            return None
        cert, valid = found
        return {"certificate": cert.number, "valid": valid}


def _is_product_id(value: str) -> bool:
    """Whether `value` can be a product id: digits within the id column's
    range (SQLite raises OverflowError on a larger number instead of finding
    nothing)."""
    field = ProductPage._meta.pk
    while field.is_relation:
        field = field.target_field
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(high))):
        return False
    return low <= int(value) <= high


def _hydrate(products) -> list[ProductPage]:
    """Reload a page of products with everything the serializer reads, in
    the order given (search relevance or the list's sort)."""
    ids = [product.pk for product in products]
    by_id = selectors.product_detail_queryset().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


@extend_schema(tags=["products"])
class ProductViewSet(viewsets.GenericViewSet):
    """Live products of the market with their variants and certificates."""

    serializer_class = ProductSerializer
    pagination_class = ProductListPagination
    queryset = ProductPage.objects.none()
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[
            ProductQuerySerializer,
            OpenApiParameter("page", OpenApiTypes.INT, description="Trang (từ 1)."),
        ],
        summary="List products",
    )
    def list(self, request):
        query = ProductQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # Page through ids only; `_hydrate` loads the page's rows in full.
        products = (
            selectors.product_list(filters=query.filters())
            .select_related(None)
            .prefetch_related(None)
            .only("pk")
        )
        text = " ".join(query.validated_data.get("q", "").split())
        if text:
            # The same search as the site's: every word, else some of them.
            found = selectors.product_text_search(
                products=products.order_by(), text=text
            )
            products = found.results
            self.paginator.partial_match = found.relaxed
        page = self.paginate_queryset(products)
        serializer = self.get_serializer(_hydrate(page), many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(summary="One product")
    def retrieve(self, request, pk=None):
        product = None
        if _is_product_id(str(pk)):
            product = selectors.product_detail_queryset().filter(pk=pk).first()
        if product is None:
            raise NotFound(_("Không có sản phẩm này hoặc sản phẩm đã ngừng bán."))
        return Response(self.get_serializer(product).data)
