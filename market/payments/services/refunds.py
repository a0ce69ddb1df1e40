"""Refunds asked for by the operator, and refunds the gateway reports.

A refund row (with its idempotency key) is committed before the gateway is
called; a retry of the same request (same `Idempotency-Key` header on our
API) finds that row and sends the same key again. The sum of refunds never
exceeds what was paid: checked under the payment's row lock, and backed by
check constraints on payment and order.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from market.checkout.services import order_lock, order_record_refund
from market.checkout.services.slots import tickets_not_refundable_vnd
from market.payments import gateway
from market.payments.models import (
    Payment,
    PaymentStatus,
    Provider,
    Refund,
    RefundStatus,
)
from market.payments.services.cards import new_idempotency_key


class RefundNotAllowed(Exception):
    """The refund cannot be made; the message says why (Vietnamese)."""


def _refundable(payment: Payment) -> int:
    pending = (
        payment.refunds.filter(status=RefundStatus.PENDING).aggregate(
            total=Sum("amount_vnd")
        )["total"]
        or 0
    )
    return payment.amount_vnd - payment.refunded_vnd - pending


@transaction.atomic
def _refund_start(
    *, order, amount_vnd: int, reason: str, actor, request_key: str
) -> tuple[Refund, bool]:
    key = f"refund_{request_key}" if request_key else new_idempotency_key("refund")
    existing = (
        Refund.objects.filter(idempotency_key=key).select_related("payment").first()
    )
    if existing is not None:
        if existing.payment.order_id != order.pk:
            raise RefundNotAllowed(_("Mã Idempotency-Key này đã dùng cho đơn khác."))
        if existing.amount_vnd != amount_vnd:
            # A retry repeats the same request; another amount is a new one.
            raise RefundNotAllowed(
                _(
                    "Mã Idempotency-Key này đã dùng cho lần hoàn %(amount)s đồng. "
                    "Muốn hoàn số tiền khác, hãy gửi với một mã mới."
                )
                % {"amount": f"{existing.amount_vnd:,}"}
            )
        return existing, False
    payment = (
        Payment.objects.select_for_update()
        .filter(order_id=order.pk, status=PaymentStatus.SUCCEEDED)
        .order_by("pk")
        .first()
    )
    if payment is None:
        raise RefundNotAllowed(
            _("Đơn này chưa được thanh toán nên không có gì để hoàn.")
        )
    if amount_vnd <= 0:
        raise RefundNotAllowed(_("Số tiền hoàn phải lớn hơn 0."))
    refundable = _refundable(payment)
    if amount_vnd > refundable:
        raise RefundNotAllowed(
            _("Chỉ còn hoàn được tối đa %(amount)s đồng.")
            % {"amount": f"{refundable:,}"}
        )
    # Tickets of a slot that started (or already used) are not refundable.
    spent = tickets_not_refundable_vnd(order=order)
    if spent and amount_vnd > refundable - spent:
        raise RefundNotAllowed(
            _(
                "Vé của khung giờ đã bắt đầu hoặc đã dùng thì không hoàn tiền được."
                " Đơn này còn hoàn được tối đa %(amount)s đồng."
            )
            % {"amount": f"{max(refundable - spent, 0):,}"}
        )
    refund = Refund.objects.create(
        payment=payment,
        amount_vnd=amount_vnd,
        reason=reason[:300],
        idempotency_key=key,
        manual=payment.provider == Provider.VIETQR,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return refund, True


def order_refund(
    *,
    order,
    amount_vnd: int,
    reason: str = "",
    actor=None,
    request_key: str = "",
    client: gateway.GatewayClient | None = None,
) -> tuple[Refund, bool]:
    """Give `amount_vnd` of a paid order back to the shopper, at most once.

    Card payments are refunded through the gateway; VietQR payments are
    recorded as a manual refund the operator pays by bank transfer. Either
    way checkout records the refund on the order. Returns (refund, created);
    a repeated `request_key` returns the first refund instead of a new one,
    and is refused (RefundNotAllowed) when it asks for another amount.
    Raises RefundNotAllowed, gateway.GatewayUnavailable (retry with the same
    key) or gateway.GatewayError.
    """
    refund, created = _refund_start(
        order=order,
        amount_vnd=amount_vnd,
        reason=reason,
        actor=actor,
        request_key=request_key,
    )
    if refund.status != RefundStatus.PENDING:
        return refund, created
    if refund.manual:
        return _refund_complete(refund_pk=refund.pk, reference=""), created
    client = client or gateway.get_client()
    try:
        answer = client.create_refund(
            payment_intent_id=refund.payment.reference,
            amount_vnd=refund.amount_vnd,
            idempotency_key=refund.idempotency_key,
            metadata={"nq_refund": str(refund.pk)},
        )
    except gateway.GatewayUnavailable:
        raise
    except gateway.GatewayError as exc:
        Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
            status=RefundStatus.FAILED, failure_message=exc.message[:300]
        )
        raise
    return _refund_complete(refund_pk=refund.pk, reference=answer.id), created


@transaction.atomic
def _refund_complete(*, refund_pk: int, reference: str) -> Refund:
    refund = Refund.objects.select_related("payment").get(pk=refund_pk)
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    refund = Refund.objects.select_for_update().get(pk=refund_pk)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund  # the gateway's webhook recorded it first
    _mark_succeeded(refund=refund, payment=payment, reference=reference)
    order_record_refund(
        order=order_lock(order_pk=payment.order_id), amount_vnd=refund.amount_vnd
    )
    return refund


def _mark_succeeded(*, refund: Refund, payment: Payment, reference: str) -> None:
    refund.status = RefundStatus.SUCCEEDED
    refund.reference = reference
    refund.save(update_fields=["status", "reference"])
    Payment.objects.filter(pk=payment.pk).update(
        refunded_vnd=F("refunded_vnd") + refund.amount_vnd
    )
    payment.refresh_from_db(fields=["refunded_vnd"])


def refunds_from_gateway(*, payment: Payment, charge: dict) -> int:
    """Record refunds a `charge.refunded` event reports that we do not know
    yet; returns the dong newly refunded (0 for a replay or a stale event).

    The payment row must be locked by the caller. Refunds we asked for carry
    our id in their metadata and are completed rather than counted twice.
    """
    listed = (charge.get("refunds") or {}).get("data") or []
    added = 0
    for item in listed:
        added += _record_listed(payment=payment, item=item)
    if not listed:
        # No refund list (newer API versions): use the cumulative total, which
        # makes an older event arriving late harmless.
        delta = int(charge.get("amount_refunded") or 0) - payment.refunded_vnd
        if delta > 0:
            refund = Refund.objects.create(
                payment=payment,
                amount_vnd=min(delta, payment.amount_vnd - payment.refunded_vnd),
                idempotency_key=new_idempotency_key("gw"),
                reason=_("Hoàn trên cổng thanh toán"),
            )
            _mark_succeeded(
                refund=refund,
                payment=payment,
                reference=f"{charge.get('id')}:{charge.get('amount_refunded')}",
            )
            added += refund.amount_vnd
    return added


def _record_listed(*, payment: Payment, item: dict) -> int:
    reference = str(item.get("id", ""))
    if not reference or Refund.objects.filter(reference=reference).exists():
        return 0
    ours = str((item.get("metadata") or {}).get("nq_refund", ""))
    refund = None
    if ours.isdigit():
        refund = (
            payment.refunds.select_for_update()
            .filter(pk=int(ours), status=RefundStatus.PENDING)
            .first()
        )
    if refund is None:
        amount = min(
            int(item.get("amount") or 0), payment.amount_vnd - payment.refunded_vnd
        )
        if amount <= 0:
            return 0
        refund = Refund.objects.create(
            payment=payment,
            amount_vnd=amount,
            idempotency_key=new_idempotency_key("gw"),
            reason=_("Hoàn trên cổng thanh toán"),
        )
    _mark_succeeded(refund=refund, payment=payment, reference=reference)
    return refund.amount_vnd
