"""The shopping cart, kept in the session (no account needed).

The session holds only `{variant id: quantity}`; prices, names and stock are
read fresh each time (selectors.cart_summary), so a cart never shows a stale
price. A signed-in shopper's cart is also copied to `SavedCart`, and merged
back into the session when they log in on any device.
"""

from __future__ import annotations

SESSION_KEY = "cart"


class Cart:
    """A thin wrapper over the session: reads and writes quantities only.

    The rules (stock limits, sellable products) are in `services.cart`.
    """

    def __init__(self, request):
        self.request = request
        self.session = request.session
        raw = self.session.get(SESSION_KEY) or {}
        self.lines: dict[int, int] = {}
        for key, quantity in raw.items():
            try:
                variant_id, quantity = int(key), int(quantity)
            except (TypeError, ValueError):
                continue
            if quantity > 0:
                self.lines[variant_id] = quantity

    def __len__(self) -> int:
        return sum(self.lines.values())

    def __bool__(self) -> bool:
        return bool(self.lines)

    def quantity(self, variant_id: int) -> int:
        return self.lines.get(variant_id, 0)

    def set(self, variant_id: int, quantity: int) -> None:
        if quantity > 0:
            self.lines[variant_id] = quantity
        else:
            self.lines.pop(variant_id, None)
        self.save()

    def clear(self) -> None:
        self.lines = {}
        self.save()

    def save(self) -> None:
        self.session[SESSION_KEY] = {str(k): v for k, v in self.lines.items()}
        self.session.modified = True
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            from market.checkout.services.cart import cart_save_for_user

            cart_save_for_user(user=user, lines=self.lines)


def cart_count(request) -> int:
    """Units in the session cart, without touching the database."""
    raw = request.session.get(SESSION_KEY) or {}
    total = 0
    for quantity in raw.values():
        try:
            total += max(int(quantity), 0)
        except (TypeError, ValueError):
            continue
    return total
