"""Partner API (`/api/v1/parcels/`): a post office's own parcels and their
status events. Token auth (`Authorization: Bearer nqp_…`), one partner per
token; another partner's parcel is a 404, never a 403, so codes don't leak.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, permissions, serializers
from rest_framework import status as http
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ReadOnlyModelViewSet

from .models import PARTNER_STATUSES, Parcel, ParcelEvent, PartnerToken
from .selectors import parcels_filter, parcels_of_partner
from .services.parcels import ParcelTransitionError, parcel_set_status
from .services.partners import partner_token_authenticate


class PartnerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(
            "latin-1", errors="replace"
        )
        if not header:
            return None
        scheme, _sep, key = header.partition(" ")
        if scheme != self.keyword or not key.strip():
            return None
        token = partner_token_authenticate(key=key.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Khóa API không đúng hoặc đã bị thu hồi.")
            )
        return (None, token)

    def authenticate_header(self, request):
        return self.keyword


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = PartnerTokenAuthentication
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Khóa API của bưu cục: `Authorization: Bearer nqp_…`.",
        }


class HasPartnerToken(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, PartnerToken)


class PartnerAPIMixin:
    authentication_classes = [PartnerTokenAuthentication]
    permission_classes = [HasPartnerToken]

    @property
    def partner(self):
        return self.request.auth.partner


class PartySerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    province_code = serializers.IntegerField()
    province = serializers.CharField(source="province_name")
    ward_code = serializers.IntegerField(allow_null=True)
    ward = serializers.CharField(source="ward_name")
    address_line = serializers.CharField()


class SenderSerializer(PartySerializer):
    name = serializers.CharField(source="legal_name")


class RecipientSerializer(PartySerializer):
    name = serializers.CharField(source="customer_name")


class ParcelEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ParcelEvent
        fields = ["status", "occurred_at", "location", "note", "client_event_id"]


class ParcelSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="shipment.order.number")
    sender = SenderSerializer(source="shipment.seller")
    recipient = RecipientSerializer(source="shipment.order")

    class Meta:
        model = Parcel
        fields = [
            "tracking_code",
            "status",
            "weight_g",
            "order_number",
            "sender",
            "recipient",
            "created_at",
            "updated_at",
        ]


class ParcelDetailSerializer(ParcelSerializer):
    events = ParcelEventSerializer(many=True)

    class Meta(ParcelSerializer.Meta):
        fields = [*ParcelSerializer.Meta.fields, "events"]


class ParcelQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        required=False, choices=Parcel._meta.get_field("status").choices
    )
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)


@extend_schema(tags=["parcels"])
class ParcelViewSet(PartnerAPIMixin, ReadOnlyModelViewSet):
    """The calling partner's parcels, newest first."""

    lookup_field = "tracking_code"
    lookup_value_regex = "[A-Z0-9]+"

    def get_serializer_class(self):
        return ParcelDetailSerializer if self.action == "retrieve" else ParcelSerializer

    def get_queryset(self):
        parcels = parcels_of_partner(partner=self.partner)
        if self.action == "retrieve":
            return parcels.prefetch_related("events")
        query = ParcelQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return parcels_filter(parcels, **query.validated_data)

    @extend_schema(parameters=[ParcelQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class EventInSerializer(serializers.Serializer):
    client_event_id = serializers.CharField(
        max_length=64,
        help_text=_(
            "Mã sự kiện do bưu cục tự đặt; gửi lại cùng mã không tạo thay đổi mới."
        ),
    )
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in PARTNER_STATUSES]
    )
    occurred_at = serializers.DateTimeField()
    location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class EventOutSerializer(serializers.Serializer):
    created = serializers.BooleanField(
        help_text=_("false: sự kiện này đã được ghi trước đó, không có gì thay đổi.")
    )
    detail = serializers.CharField()
    parcel = ParcelSerializer()
    event = ParcelEventSerializer()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    current_status = serializers.CharField()


EVENT_EXAMPLE = {
    "client_event_id": "HA-2026-000123",
    "status": "accepted",
    "occurred_at": "2026-11-23T08:30:00+07:00",
    "location": "Bưu cục Hội An",
    "note": "Đã nhận đơn, chiều nay đến lấy hàng",
}


class ParcelEventCreateView(PartnerAPIMixin, APIView):
    @extend_schema(
        tags=["parcels"],
        operation_id="parcels_events_create",
        summary="Report a status event of one of your parcels",
        description=(
            "Idempotent per `client_event_id`: sending the same event again "
            "answers 200 with `created: false` and changes nothing. A status "
            "the flow does not allow next, or an event dated before the last "
            "one, is refused with 409 and a machine-readable `code`."
        ),
        request=EventInSerializer,
        examples=[
            OpenApiExample("Accept a parcel", value=EVENT_EXAMPLE, request_only=True)
        ],
        responses={
            201: EventOutSerializer,
            200: EventOutSerializer,
            404: OpenApiResponse(description="Not one of your parcels."),
            409: ErrorSerializer,
        },
    )
    def post(self, request, tracking_code: str):
        parcel = get_object_or_404(
            parcels_of_partner(partner=self.partner), tracking_code=tracking_code
        )
        data = EventInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            change = parcel_set_status(
                parcel=parcel, token=request.auth, **data.validated_data
            )
        except ParcelTransitionError as error:
            parcel.refresh_from_db()
            return Response(
                {
                    "code": error.code,
                    "detail": error.message,
                    "current_status": parcel.status,
                },
                status=http.HTTP_409_CONFLICT,
            )
        parcel.refresh_from_db()
        body = {
            "created": change.created,
            "detail": _("Đã ghi nhận.")
            if change.created
            else _("Sự kiện này đã được ghi nhận trước đó; không có gì thay đổi."),
            "parcel": ParcelSerializer(parcel).data,
            "event": ParcelEventSerializer(change.event).data,
        }
        return Response(
            body, status=http.HTTP_201_CREATED if change.created else http.HTTP_200_OK
        )
