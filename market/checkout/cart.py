"""The shopping cart, kept in the session (no account needed).

The session holds only `{variant id: quantity}`; prices, names and stock are
read fresh each time (selectors.cart_summary), so a cart never shows a stale
price. The cart services (`services.cart`) also copy a signed-in shopper's
cart to `SavedCart`, and merge it back into the session at login.
"""

from __future__ import annotations

SESSION_KEY = "cart"


class Cart:
    """A thin wrapper over the session: reads and writes quantities only.

    The rules (stock limits, sellable products) and the copy kept for a
    signed-in shopper are in `services.cart`; this class touches nothing but
    the session.
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

    @property
    def user(self):
        """The signed-in shopper who owns this cart, or None."""
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


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
