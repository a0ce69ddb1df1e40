"""Recalling a lot: the scan page turns red at once, the history records it,
and the shoppers the lot was sold to are told.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from market.notifications.events import lot_recall_notify
from market.page_cache import page_cache_purge_on_commit, product_tag
from market.signals import OrderNotice
from traceability.models import Lot, LotAllocation, LotEventKind, LotStatus
from traceability.selectors import lots_visible_to
from traceability.selectors_packing import lot_orders
from traceability.services.events import lot_event_append

# CBV 2.0: the lot is held back ("holding") and its disposition is "recalled".
RECALL_BIZ_STEP = "holding"
RECALL_DISPOSITION = "recalled"
REASON_MIN_LENGTH = 10


@dataclass(frozen=True)
class RecallNotice:
    order_number: str
    email: str
    name: str


def user_may_recall(*, user, lot: Lot) -> bool:
    """The operator may recall any lot; a seller's staff only their own."""
    return lots_visible_to(user=user).filter(pk=lot.pk).exists()


def lot_recall_recipients(*, lot: Lot) -> list[RecallNotice]:
    """One notice per order that was packed from the lot and has an e-mail.

    Orders reach a lot through `LotAllocation` (set at packing), so only
    shoppers who really received units of this lot are written to.
    """
    orders = (
        lot_orders(lot=lot)
        .exclude(email="")
        .values_list("number", "email", "customer_name")
    )
    return [RecallNotice(*row) for row in orders]


def order_recalled_lots(*, order) -> list[Lot]:
    """The recalled lots packed into `order` (through `LotAllocation`), oldest
    recall first. One query."""
    lot_ids = LotAllocation.objects.filter(order_line__order=order).values("lot_id")
    return list(
        Lot.objects.filter(pk__in=lot_ids, status=LotStatus.RECALLED)
        .select_related("variant__product__seller")
        .order_by("recalled_at", "pk")
    )


def _what_to_do(lot: Lot) -> list[str]:
    seller = lot.variant.product.seller
    return [
        _("Xin đừng dùng sản phẩm này."),
        _(
            "Người bán %(seller)s sẽ đổi hàng hoặc trả lại tiền cho bạn. "
            "Nếu cần, hãy gọi %(phone)s."
        )
        % {"seller": seller.legal_name, "phone": seller.phone},
    ]


def order_recall_notices(*, order) -> list[OrderNotice]:
    """What the order page says for each recalled lot in `order`: which
    product and lot, why, and what the shopper should do."""
    notices = []
    for lot in order_recalled_lots(order=order):
        product = lot.variant.product
        notices.append(
            OrderNotice(
                title=_("Thu hồi: %(product)s (lô %(lot)s)")
                % {
                    "product": f"{product.title} ({lot.variant.label})",
                    "lot": lot.code,
                },
                lines=(
                    _(
                        "Đơn này có hàng thuộc lô %(lot)s, thu hoạch ngày "
                        "%(harvest)s. Lô này đã bị thu hồi ngày %(recalled)s."
                    )
                    % {
                        "lot": lot.code,
                        "harvest": date_format(lot.harvested_on, "d/m/Y"),
                        "recalled": date_format(
                            timezone.localtime(lot.recalled_at), "d/m/Y"
                        ),
                    },
                    _("Lý do: %(reason)s") % {"reason": lot.recall_reason},
                    *_what_to_do(lot),
                ),
            )
        )
    return notices


def product_recall_notices(*, product) -> list[OrderNotice]:
    """What the product page says for each recalled lot of `product`: which
    lot, why, and what a shopper who bought it should do."""
    lots = (
        Lot.objects.filter(variant__product=product, status=LotStatus.RECALLED)
        .select_related("variant__product__seller")
        .order_by("-recalled_at")
    )
    return [
        OrderNotice(
            title=_("Thu hồi: lô %(lot)s (%(variant)s)")
            % {"lot": lot.code, "variant": lot.variant.label},
            lines=(
                _("Lô này đã bị thu hồi ngày %(recalled)s. Lý do: %(reason)s")
                % {
                    "recalled": date_format(
                        timezone.localtime(lot.recalled_at), "d/m/Y"
                    ),
                    "reason": lot.recall_reason,
                },
                *_what_to_do(lot),
            ),
        )
        for lot in lots
    ]


def _notice_mail(lot: Lot, notice: RecallNotice) -> tuple[str, str]:
    product = lot.variant.product
    subject = _("Thu hồi sản phẩm: %(product)s (lô %(lot)s)") % {
        "product": product.title,
        "lot": lot.code,
    }
    body = "\n".join(
        [
            _("Chào %(name)s,") % {"name": notice.name},
            "",
            _(
                "Đơn hàng %(order)s của bạn có %(product)s thuộc lô %(lot)s "
                "(thu hoạch ngày %(harvest)s). Lô này vừa bị thu hồi."
            )
            % {
                "order": notice.order_number,
                "product": f"{product.title} ({lot.variant.label})",
                "lot": lot.code,
                "harvest": date_format(lot.harvested_on, "d/m/Y"),
            },
            _("Lý do: %(reason)s") % {"reason": lot.recall_reason},
            "",
            *_what_to_do(lot),
            "",
            "Nguồn Quê",
        ]
    )
    return subject, body


def _send_notices(lot: Lot, notices: list[RecallNotice]) -> None:
    # One message per shopper: no shopper sees another's address.
    with get_connection(fail_silently=True) as connection:
        for notice in notices:
            subject, body = _notice_mail(lot, notice)
            send_mail(subject, body, None, [notice.email], connection=connection)


def _notify_by_channel(lot: Lot, shoppers: list[tuple[str, str, str]]) -> None:
    # The seller on the channel they chose; shoppers who left a mobile number
    # also by SMS (the e-mail above carries the full explanation).
    product = lot.variant.product
    lot_recall_notify(
        seller=product.seller,
        lot_id=lot.pk,
        product=f"{product.title} ({lot.variant.label})",
        lot=lot.code,
        reason=lot.recall_reason,
        shoppers=shoppers,
    )


def lot_recall(*, lot: Lot, reason: str, actor) -> Lot:
    """Recall `lot` now, with `reason`.

    Rules kept: only the operator or the lot's seller may recall; a lot is
    recalled once (a second recall is refused, the first reason stays); the
    status change and the recall event are one transaction, so the scan page
    shows "recalled" exactly when the history says so; shoppers are e-mailed
    (and sent an SMS where they left a mobile number) and the seller is told
    on their channel only after that transaction commits.
    """
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": _(
                    "Hãy ghi rõ lý do thu hồi (ít nhất 10 ký tự) để người mua hiểu."
                )
            }
        )
    if not user_may_recall(user=actor, lot=lot):
        raise PermissionDenied(_("Bạn chỉ được thu hồi lô hàng của cửa hàng mình."))
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Lot.objects.select_for_update()
            .select_related("variant__product__seller")
            .get(pk=lot.pk)
        )
        if locked.status == LotStatus.RECALLED:
            raise ValidationError(_("Lô này đã bị thu hồi từ trước."))
        locked.status = LotStatus.RECALLED
        locked.recall_reason = reason
        locked.recalled_at = now
        locked.save(update_fields=["status", "recall_reason", "recalled_at"])
        lot_event_append(
            lot=locked,
            kind=LotEventKind.RECALL,
            occurred_at=now,
            biz_step=RECALL_BIZ_STEP,
            disposition=RECALL_DISPOSITION,
            data={"reason": reason, "by": getattr(actor, "pk", None)},
        )
        notices = lot_recall_recipients(lot=locked)
        shoppers = list(lot_orders(lot=locked).values_list("number", "phone", "email"))
        transaction.on_commit(lambda: _send_notices(locked, notices))
        transaction.on_commit(lambda: _notify_by_channel(locked, shoppers))
        # The product page says so at once, on every host (a cached copy goes).
        page_cache_purge_on_commit(tags=[product_tag(locked.variant.product_id)])
    lot.status, lot.recall_reason, lot.recalled_at = (
        locked.status,
        locked.recall_reason,
        locked.recalled_at,
    )
    return locked
