"""Thin views: the payment page, the card steps, the VietQR image, webhooks.

The card endpoints are authorised by the order's secret token (a bearer
secret sent in the request, not a cookie), so they are CSRF-exempt and work
for API clients too. Webhooks are verified from the raw body in services.
"""

from __future__ import annotations

import io
import json
import logging

import qrcode
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from qrcode.constants import ERROR_CORRECT_M

from market.payments import bank_feeds, gateway, selectors, services
from market.payments.services.events import EventRejected
from market.payments.services.instructions import vietqr_payload
from market.payments.signatures import SignatureError

logger = logging.getLogger(__name__)

DECLINED = _(
    "Ngân hàng đã từ chối thẻ này, tiền chưa bị trừ. Bạn có thể: nhập một thẻ "
    "khác rồi bấm “Thanh toán” lần nữa; hoặc gọi số điện thoại ở mặt sau thẻ để "
    "hỏi ngân hàng vì sao thẻ bị từ chối."
)
UNAVAILABLE = _(
    "Cổng thanh toán đang không trả lời. Hãy đợi một phút rồi bấm “Thanh toán” "
    "lần nữa — bạn sẽ không bị trừ tiền hai lần."
)


def _params(request: HttpRequest) -> dict:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _order(request: HttpRequest, number: str, params: dict | None = None):
    token = request.GET.get("t") or (params or {}).get("t", "")
    return selectors.order_for_request(
        number=number, token=str(token), user=request.user
    )


@require_GET
@never_cache
def payment_page(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    context = selectors.payment_context(order=order)
    return render(request, "payments/payment_page.html", context)


@csrf_exempt
@require_POST
def card_setup(request: HttpRequest, number: str) -> JsonResponse:
    """A SetupIntent client secret for the browser's confirmCardSetup."""
    order = _order(request, number, _params(request))
    try:
        setup = services.card_setup_start(order=order)
    except services.PaymentNotAllowed as exc:
        return JsonResponse({"message": str(exc)}, status=409)
    except gateway.GatewayError:
        return JsonResponse({"message": UNAVAILABLE}, status=503)
    return JsonResponse({"client_secret": setup.client_secret})


@csrf_exempt
@require_POST
def card_pay(request: HttpRequest, number: str) -> JsonResponse:
    """Charge the saved card (`payment_method=pm_…`) for the order total."""
    params = _params(request)
    order = _order(request, number, params)
    try:
        payment = services.payment_card_pay(
            order=order, payment_method_ref=str(params.get("payment_method", ""))
        )
    except services.PaymentNotAllowed as exc:
        return JsonResponse({"status": "refused", "message": str(exc)}, status=409)
    except gateway.PaymentDeclined:
        return JsonResponse({"status": "declined", "message": DECLINED}, status=402)
    except gateway.GatewayUnavailable:
        return JsonResponse({"status": "retry", "message": UNAVAILABLE}, status=503)
    except gateway.GatewayError as exc:
        logger.error("gateway refused payment for %s: %s", order.number, exc)
        return JsonResponse({"status": "retry", "message": UNAVAILABLE}, status=502)
    answer = {"status": payment.status}
    if payment.status == "requires_action":
        answer["client_secret"] = payment.client_secret
    elif payment.status == "failed":
        answer["message"] = DECLINED
    return JsonResponse(answer)


@require_GET
@never_cache
def payment_status(request: HttpRequest, number: str) -> JsonResponse:
    """Polled by the page while it waits for the bank's confirmation."""
    order = _order(request, number)
    return JsonResponse(
        {
            "status": order.status,
            "status_display": order.get_status_display(),
            "paid": order.paid_at is not None,
        }
    )


@require_GET
def vietqr_image(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    if order.payment_method != "vietqr":
        return HttpResponse(status=404)
    image = qrcode.make(
        vietqr_payload(order), error_correction=ERROR_CORRECT_M, box_size=8, border=4
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=900"
    # A saved image keeps a name the shopper can find in the photo library.
    response["Content-Disposition"] = f'inline; filename="VietQR-{order.number}.png"'
    return response


@csrf_exempt
@require_POST
def gateway_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe-compatible events: 400 unless signed within 300 s."""
    try:
        event = services.gateway_event_receive(
            body=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except (SignatureError, EventRejected) as exc:
        logger.warning("gateway webhook refused: %s", exc)
        return HttpResponse(status=400)
    outcome = services.gateway_event_process(event=event)
    return JsonResponse({"received": True, "outcome": outcome})


@csrf_exempt
@require_POST
def bank_webhook(request: HttpRequest) -> HttpResponse:
    """The bank's transfer notifications: 400 unless the HMAC matches."""
    try:
        event = services.bank_notification_receive(
            body=request.body, signature=request.headers.get("X-Signature", "")
        )
    except (SignatureError, EventRejected) as exc:
        logger.warning("bank webhook refused: %s", exc)
        return HttpResponse(status=400)
    outcome = services.gateway_event_process(event=event)
    return JsonResponse({"received": True, "outcome": outcome})


def _feed_answer(source: str, read) -> HttpResponse:
    """Answer a bank-feed call: 2xx only once every transfer is stored, so
    the service retries anything we could not take (401 / 400 logged)."""
    try:
        outcomes = services.bank_feed_receive(source=source, items=read())
    except bank_feeds.FeedRejected as exc:
        logger.warning("%s webhook refused: %s", source, exc)
        return JsonResponse({"success": False, "error": str(exc)}, status=exc.status)
    except EventRejected as exc:
        logger.warning("%s webhook refused: %s", source, exc)
        return JsonResponse({"success": False, "error": str(exc)}, status=400)
    return JsonResponse({"success": True, "outcomes": outcomes})


@csrf_exempt
@require_POST
def sepay_webhook(request: HttpRequest) -> HttpResponse:
    return _feed_answer(
        "sepay",
        lambda: bank_feeds.sepay_transfers(
            body=request.body,
            authorization=request.headers.get("Authorization", ""),
            api_key=settings.SEPAY_API_KEY,
        ),
    )


@csrf_exempt
@require_POST
def casso_webhook(request: HttpRequest) -> HttpResponse:
    return _feed_answer(
        "casso",
        lambda: bank_feeds.casso_transfers(
            body=request.body,
            secure_token=request.headers.get("Secure-Token", ""),
            expected=settings.CASSO_SECURE_TOKEN,
        ),
    )


@csrf_exempt
@require_POST
def payos_webhook(request: HttpRequest) -> HttpResponse:
    return _feed_answer(
        "payos",
        lambda: bank_feeds.payos_transfers(
            body=request.body, checksum_key=settings.PAYOS_CHECKSUM_KEY
        ),
    )
