"""The shopping cart, kept in the session (no account needed).

The session holds only `{variant id: quantity}` (and, for tourism tickets,
`{variant id: slot id}` under SLOTS_KEY: one dated slot per ticket line);
prices, names and stock are read fresh each time (selectors.cart_summary),
so a cart never shows a stale price. The cart services (`services.cart`)
also copy a signed-in shopper's cart to `SavedCart`, and merge it back into
the session at login.
"""

from __future__ import annotations

SESSION_KEY = "cart"
SLOTS_KEY = "cart_slots"


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
        self.slots: dict[int, int] = {}
        for key, slot_id in (self.session.get(SLOTS_KEY) or {}).items():
            try:
                variant_id, slot_id = int(key), int(slot_id)
            except (TypeError, ValueError):
                continue
            if variant_id in self.lines:
                self.slots[variant_id] = slot_id

    def __len__(self) -> int:
        return sum(self.lines.values())

    def __bool__(self) -> bool:
        return bool(self.lines)

    def quantity(self, variant_id: int) -> int:
        return self.lines.get(variant_id, 0)

    def slot(self, variant_id: int) -> int | None:
        return self.slots.get(variant_id)

    def set(self, variant_id: int, quantity: int, *, slot_id: int | None = None):
        if quantity > 0:
            self.lines[variant_id] = quantity
            if slot_id is not None:
                self.slots[variant_id] = slot_id
        else:
            self.lines.pop(variant_id, None)
            self.slots.pop(variant_id, None)
        self.save()

    def clear(self) -> None:
        self.lines = {}
        self.slots = {}
        self.save()

    def save(self) -> None:
        self.session[SESSION_KEY] = {str(k): v for k, v in self.lines.items()}
        self.session[SLOTS_KEY] = {
            str(k): v for k, v in self.slots.items() if k in self.lines
        }
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
