"""Orders API: place an order and read it back with its secret token.

`POST /api/v1/orders/` → 201 with the order number, total, access token and
payment instructions; 409 when stock is short; 400 with field errors.
`GET /api/v1/orders/{number}/?token=…` → the order, 404 without the token.
Both are throttled per client (scope `orders`, rate `ORDERS_RATE_LIMIT`).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from market import places
from market.checkout.clients import request_client_key
from market.checkout.models import Order, PaymentMethod
from market.checkout.selectors import order_for_viewer, order_url
from market.checkout.services import (
    Customer,
    InvalidOrder,
    LineRequest,
    OutOfStock,
    ShippingAddress,
    ShippingUnavailable,
    order_place,
)
from market.checkout.services.numbers import order_number_normalize
from market.checkout.services.slots import slot_upcoming, variant_sold_by_slot
from market.identifiers import phone_normalize
from market.models import Variant
from market.payments.services import payment_instructions

# The documented example; a test posts exactly this body and expects 201.
ORDER_EXAMPLE = {
    "lines": [{"sku": "NQ-CHE-TAN-CUONG-200G", "quantity": 2}],
    "customer": {
        "name": "Trần Thị Mai",
        "phone": "0912345678",
        "email": "mai@example.vn",
    },
    "address": {"province_code": 1, "ward_code": 4, "line": "12 ngõ 34 Đội Cấn"},
    "payment_method": "vietqr",
}


class LineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=999)
    slot = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "A tourism ticket's time slot: an `id` from the product's "
            "`time_slots` (products API). Required for a ticket, absent for goods."
        ),
    )


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(
        max_length=20, help_text="Vietnamese mobile: 10 digits from 03/05/07/08/09."
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate_phone(self, value: str) -> str:
        phone = phone_normalize(value)
        if not phone:
            raise serializers.ValidationError(
                _("Số di động cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.")
            )
        return phone


class AddressSerializer(serializers.Serializer):
    province_code = serializers.IntegerField(help_text="vietnam-provinces code.")
    ward_code = serializers.IntegerField(help_text="vietnam-provinces ward code.")
    line = serializers.CharField(max_length=200)

    def validate(self, attrs):
        if not places.province_name(attrs["province_code"]):
            raise serializers.ValidationError(
                {"province_code": _("Không có tỉnh / thành phố mã này.")}
            )
        if not places.is_valid_ward(
            province_code=attrs["province_code"], ward_code=attrs["ward_code"]
        ):
            raise serializers.ValidationError(
                {"ward_code": _("Phường/xã này không thuộc tỉnh đã chọn.")}
            )
        return attrs


class OrderCreateSerializer(serializers.Serializer):
    lines = LineSerializer(many=True, allow_empty=False)
    customer = CustomerSerializer()
    address = AddressSerializer()
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)

    def validate_lines(self, lines):
        skus = [line["sku"] for line in lines]
        known = Variant.objects.select_related("product").in_bulk(
            skus, field_name="sku"
        )
        unknown = sorted(set(skus) - set(known))
        if unknown:
            raise serializers.ValidationError(
                _("Không có mã hàng: %(skus)s.") % {"skus": ", ".join(unknown)}
            )
        for line in lines:
            _check_slot(known[line["sku"]], line["slot"])
        return [
            LineRequest(known[line["sku"]].pk, line["quantity"], line["slot"])
            for line in lines
        ]


def _check_slot(variant: Variant, slot_id: int | None) -> None:
    """A ticket line names an upcoming slot of its own variant; goods none."""
    names = {"sku": variant.sku, "slot": slot_id}
    if not variant_sold_by_slot(variant):
        if slot_id is not None:
            raise serializers.ValidationError(
                _("%(sku)s không phải vé tham quan: bỏ mục slot.") % names
            )
        return
    if slot_id is None:
        raise serializers.ValidationError(
            _(
                "%(sku)s là vé tham quan: hãy ghi slot, mã một khung giờ trong "
                "time_slots của sản phẩm."
            )
            % names
        )
    if slot_upcoming(slot_id=slot_id, variant_id=variant.pk) is None:
        raise serializers.ValidationError(
            _(
                "Khung giờ %(slot)s không phải của vé %(sku)s hoặc đã bắt đầu. "
                "Hãy chọn khung giờ khác trong time_slots."
            )
            % names
        )


class SlotOut(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class OrderLineOut(serializers.Serializer):
    sku = serializers.CharField()
    product_title = serializers.CharField()
    variant_label = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_vnd = serializers.IntegerField()
    slot = serializers.SerializerMethodField(
        help_text="The booked time slot of a ticket line; null for goods."
    )

    @extend_schema_field(SlotOut(allow_null=True))
    def get_slot(self, line):
        tickets = line.tickets.all()  # prefetched by order_with_details
        return SlotOut(tickets[0].slot).data if tickets else None


class ShipmentOut(serializers.Serializer):
    seller = serializers.CharField(source="seller.legal_name")
    status = serializers.CharField()
    zone = serializers.CharField()
    weight_g = serializers.IntegerField()
    subtotal_vnd = serializers.IntegerField()
    shipping_vnd = serializers.IntegerField()
    lines = OrderLineOut(many=True)


class OrderOut(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    payment_method = serializers.CharField()
    subtotal_vnd = serializers.IntegerField()
    shipping_vnd = serializers.IntegerField()
    total_vnd = serializers.IntegerField()
    refunded_vnd = serializers.IntegerField()
    hold_until = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    order_url = serializers.SerializerMethodField()
    shipments = ShipmentOut(many=True)

    def get_order_url(self, order: Order) -> str:
        return order_url(order, absolute=True)


class OrderCreatedOut(OrderOut):
    access_token = serializers.CharField()
    payment = serializers.DictField(allow_null=True)


ERROR = inline_serializer("OrderError", {"detail": serializers.CharField()})


class OrderCreateView(APIView):
    # Per client: by user when signed in, else by IP address.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "orders"

    @extend_schema(
        tags=["orders"],
        summary="Place an order",
        request=OrderCreateSerializer,
        responses={
            201: OrderCreatedOut,
            400: OpenApiResponse(description="Field errors, by field."),
            409: OpenApiResponse(ERROR, description="Not enough stock (Vietnamese)."),
            429: OpenApiResponse(ERROR, description="Too many requests."),
        },
        examples=[
            OpenApiExample(
                "Two packets of tea, paid by VietQR",
                value=ORDER_EXAMPLE,
                request_only=True,
            )
        ],
    )
    def post(self, request):
        incoming = OrderCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            order = order_place(
                cart_lines=data["lines"],
                customer=Customer(**data["customer"]),
                address=ShippingAddress(**data["address"]),
                payment_method=data["payment_method"],
                user=request.user if request.user else None,
                client_key=request_client_key(request),
            )
        except OutOfStock as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except (InvalidOrder, ShippingUnavailable) as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        order = order_for_viewer(
            number=order.number, token=order.access_token, user=None
        )
        body = OrderOut(order).data | {
            "access_token": order.access_token,
            # After the commit: it may call the card gateway, and a gateway
            # that cannot answer leaves `client_secret` empty (see its doc).
            "payment": payment_instructions(order=order),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class OrderDetailView(APIView):
    # Per client: by user when signed in, else by IP address.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "orders"

    @extend_schema(
        tags=["orders"],
        summary="Read an order with its access token",
        parameters=[
            OpenApiParameter("token", str, required=True, description="access_token")
        ],
        responses={200: OrderOut, 404: OpenApiResponse(description="Unknown.")},
    )
    def get(self, request, number: str):
        order = order_for_viewer(
            number=order_number_normalize(number),
            token=request.query_params.get("token"),
            user=None,
        )
        if order is None:
            raise Http404
        return Response(OrderOut(order).data)
