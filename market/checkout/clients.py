"""Which client a request comes from: one address rule for the whole site.

The API throttles, the web checkout's hold limits, the scan page's counts and
rate limits and the login throttle (django-axes) all take the client's
address from `client_address`, so a rotating `X-Forwarded-For` header moves
none of them (#19, items 4, 5 and 9).
"""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle

from market.checkout.services.holds import client_key_make


def client_address(request) -> str:
    """The client's address as the API throttles see it.

    REST_FRAMEWORK's NUM_PROXIES says how many reverse proxies of ours append
    to X-Forwarded-For: 0 (the default) takes REMOTE_ADDR and never believes
    the header; N takes the N-th entry from the right, the one our outermost
    proxy appended. The same request signature as django-axes'
    AXES_CLIENT_IP_CALLABLE.
    """
    return BaseThrottle().get_ident(request)


def request_client_key(request) -> str:
    """The signed-in account, else the client address, as a keyed hash.

    The address is the one the API throttles use (REST_FRAMEWORK's
    NUM_PROXIES decides how much of X-Forwarded-For is trusted), so the web
    checkout and the orders API count one client the same way.
    """
    return client_key_make(
        user=getattr(request, "user", None), address=client_address(request)
    )
