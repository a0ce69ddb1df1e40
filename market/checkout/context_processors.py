"""Template context for every page: the cart count in the header."""

from market.checkout.cart import cart_count


def cart(request) -> dict:
    """`cart_count`: units in the session cart (no database query)."""
    if not hasattr(request, "session"):
        return {"cart_count": 0}
    return {"cart_count": cart_count(request)}
