"""Typed errors of checkout. Each carries a message a shopper can act on."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


class CheckoutError(Exception):
    """Base class: `str(error)` is a Vietnamese sentence for the shopper."""


@dataclass(frozen=True)
class Shortage:
    """One line that cannot be served: what was asked and what is left."""

    variant_id: int
    sku: str
    product_title: str
    variant_label: str
    unit: str
    requested: int
    available: int

    @property
    def message(self) -> str:
        name = f"{self.product_title} ({self.variant_label})"
        if self.available <= 0:
            return _("%(name)s đã hết hàng — hãy bỏ sản phẩm này khỏi giỏ.") % {
                "name": name
            }
        return _(
            "%(name)s: chỉ còn %(available)s %(unit)s, bạn đã chọn %(requested)s"
            " — hãy giảm số lượng."
        ) % {
            "name": name,
            "available": self.available,
            "unit": self.unit,
            "requested": self.requested,
        }


class OutOfStock(CheckoutError):
    """Some lines ask for more than is on hand and not held by other orders."""

    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        super().__init__(" ".join(s.message for s in shortages))


class CartError(CheckoutError):
    """A cart change that cannot be made (unknown product, too many units)."""


class InvalidOrder(CheckoutError):
    """The order request itself is wrong (no lines, bad address, method)."""


class ShippingUnavailable(CheckoutError):
    """No tariff covers this parcel: the operator has to fill the table."""


class InvalidTransition(CheckoutError):
    """A status move that the transition table does not allow."""

    def __init__(self, what: str, from_status: str, to_status: str):
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(
            _("Không thể chuyển %(what)s từ “%(from)s” sang “%(to)s”.")
            % {"what": what, "from": from_status, "to": to_status}
        )


class OrderNotPayable(CheckoutError):
    """A payment arrived for an order that can no longer be paid (cancelled)."""


class RefundTooLarge(CheckoutError):
    """The refunds would exceed what the shopper paid."""


class HoldLimitReached(InvalidOrder):
    """The order would hold more than one unpaid order (or one client) may."""
