"""Payment use cases. Views, API and admin call these; nothing else writes
payment rows or asks checkout to change an order's payment state."""

from market.payments.services.cards import (
    PaymentNotAllowed,
    card_setup_start,
    payment_card_pay,
    payment_set_status,
)
from market.payments.services.events import (
    bank_feed_receive,
    bank_notification_receive,
    gateway_event_process,
    gateway_event_receive,
)
from market.payments.services.instructions import payment_instructions
from market.payments.services.refunds import RefundNotAllowed, order_refund
from market.payments.services.transfers import (
    StatementError,
    bank_transfer_record,
    bank_transfer_review,
    statement_import,
    statement_parse,
)

__all__ = [
    "PaymentNotAllowed",
    "RefundNotAllowed",
    "StatementError",
    "bank_feed_receive",
    "bank_notification_receive",
    "bank_transfer_record",
    "bank_transfer_review",
    "card_setup_start",
    "gateway_event_process",
    "gateway_event_receive",
    "order_refund",
    "payment_card_pay",
    "payment_instructions",
    "payment_set_status",
    "statement_import",
    "statement_parse",
]
