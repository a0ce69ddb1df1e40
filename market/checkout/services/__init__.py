"""Write-side use cases of checkout, one module per area.

`orders` (place, pay, cancel, expire, refund, status), `shipments` (seller
shipment status, shipping consumes stock), `transitions` (the state machine
both sit on), `cart` (session cart rules),
`shipping` (tariff quotes), `stock` (allocate / release / consume), `holds`
(how much unpaid orders may hold), `mail`, `errors`.
Import from here: `from market.checkout.services import order_place`.
"""

from .errors import (
    CartError,
    CheckoutError,
    HoldLimitReached,
    InvalidOrder,
    InvalidTransition,
    OrderNotPayable,
    OutOfStock,
    RefundTooLarge,
    ShippingUnavailable,
    Shortage,
)
from .orders import (
    Customer,
    LineRequest,
    ShippingAddress,
    order_cancel,
    order_cancel_expired,
    order_hold_extend,
    order_lock,
    order_mark_paid,
    order_payment_started,
    order_place,
    order_record_refund,
    order_set_status,
)
from .shipments import shipment_mark_shipped, shipment_set_status
from .shipping import shipment_quote, shipping_fee

__all__ = [
    "CartError",
    "CheckoutError",
    "Customer",
    "HoldLimitReached",
    "InvalidOrder",
    "InvalidTransition",
    "LineRequest",
    "OrderNotPayable",
    "OutOfStock",
    "RefundTooLarge",
    "ShippingAddress",
    "ShippingUnavailable",
    "Shortage",
    "order_cancel",
    "order_cancel_expired",
    "order_hold_extend",
    "order_lock",
    "order_mark_paid",
    "order_payment_started",
    "order_place",
    "order_record_refund",
    "order_set_status",
    "shipment_mark_shipped",
    "shipment_quote",
    "shipment_set_status",
    "shipping_fee",
]
