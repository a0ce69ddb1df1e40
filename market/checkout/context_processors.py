"""Template context for every page: the cart count in the header."""

from django.conf import settings

from market.checkout.cart import cart_count


def cart(request) -> dict:
    """`cart_count`: units in the session cart (no database query beyond the
    session). Visitors without a session cookie are not given a session, so
    public pages stay cacheable for them (no `Vary: Cookie`)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES or not hasattr(
        request, "session"
    ):
        return {"cart_count": 0}
    return {"cart_count": cart_count(request)}
