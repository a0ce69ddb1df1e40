"""Which client a request comes from, for counting its unpaid orders."""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle

from market.checkout.services.holds import client_key_make


def request_client_key(request) -> str:
    """The signed-in account, else the client address, as a keyed hash.

    The address is the one the API throttles use (REST_FRAMEWORK's
    NUM_PROXIES decides how much of X-Forwarded-For is trusted), so the web
    checkout and the orders API count one client the same way.
    """
    return client_key_make(
        user=getattr(request, "user", None), address=BaseThrottle().get_ident(request)
    )
