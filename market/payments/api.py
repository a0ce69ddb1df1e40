"""Operator API: refunds of paid orders.

`POST /api/v1/orders/{number}/refunds/` with `{"amount_vnd": 50000,
"reason": "…"}`. Only the market operator (members of the operator group,
or superusers) may call it, logged in through the admin (session cookie plus
the CSRF token) or with HTTP Basic credentials over HTTPS for scripts. Send an
`Idempotency-Key` header to make a retry safe: the same key returns the first
refund instead of refunding twice.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from market.access import user_is_operator
from market.checkout.models import Order
from market.payments import gateway, services
from market.payments.models import Refund


class IsOperator(BasePermission):
    message = _("Chỉ người vận hành chợ được hoàn tiền.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user_is_operator(user))


class RefundRequestSerializer(serializers.Serializer):
    amount_vnd = serializers.IntegerField(
        min_value=1, help_text="Whole dong to give back (VND has no decimals)."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class RefundSerializer(serializers.ModelSerializer):
    order = serializers.CharField(source="payment.order.number")
    provider = serializers.CharField(source="payment.provider")
    order_status = serializers.CharField(source="payment.order.status")
    order_refunded_vnd = serializers.IntegerField(source="payment.order.refunded_vnd")
    # Plain text, not an enum: several models have a "status" with other values.
    status = serializers.CharField(
        help_text="pending, succeeded or failed (the refund, not the order)."
    )

    class Meta:
        model = Refund
        fields = [
            "id",
            "order",
            "provider",
            "amount_vnd",
            "status",
            "manual",
            "reason",
            "reference",
            "created_at",
            "order_status",
            "order_refunded_vnd",
        ]


class RefundErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class OrderRefundsView(APIView):
    authentication_classes = [SessionAuthentication, BasicAuthentication]
    permission_classes = [IsOperator]

    @extend_schema(
        operation_id="order_refund_create",
        summary="Refund a paid order (operator)",
        description=__doc__,
        request=RefundRequestSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Repeat it on a retry to get the first refund back.",
            )
        ],
        responses={
            201: RefundSerializer,
            200: RefundSerializer,
            409: RefundErrorSerializer,
            502: RefundErrorSerializer,
            503: RefundErrorSerializer,
        },
        examples=[
            OpenApiExample(
                "Partial refund",
                value={"amount_vnd": 50000, "reason": "Một chai nước mắm bị vỡ"},
                request_only=True,
            )
        ],
    )
    def post(self, request, number: str):
        order = get_object_or_404(Order, number=number.upper())
        data = RefundRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            refund, created = services.order_refund(
                order=order,
                amount_vnd=data.validated_data["amount_vnd"],
                reason=data.validated_data.get("reason", ""),
                actor=request.user,
                request_key=request.headers.get("Idempotency-Key", "")[:40],
            )
        except services.RefundNotAllowed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except gateway.GatewayUnavailable:
            return Response(
                {
                    "detail": _(
                        "Cổng thanh toán không trả lời. "
                        "Gửi lại với cùng Idempotency-Key."
                    )
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        except gateway.GatewayError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_502_BAD_GATEWAY)
        refund = Refund.objects.select_related("payment__order").get(pk=refund.pk)
        return Response(
            RefundSerializer(refund).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
