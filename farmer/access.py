"""Who may use `/nong-dan/` and which rows they see: the one rule.

Only seller staff (`market.access.user_is_seller_staff`) come in; every row
a view reads or writes is reached through `own_seller_ids(request)`, the ids
of the user's own sellers, so another seller's order, lot, label run or
ledger line is a 404 whatever id is typed. The operator is not seller staff:
they work in the admin.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse

from market.access import user_is_seller_staff, user_seller_ids


def own_seller_ids(request) -> list[int]:
    """The sellers whose rows this farmer works with (checked at the door)."""
    return request.farmer_seller_ids


def farmer_required(view):
    """Sign-in page for anonymous visitors, a plain refusal for anyone who
    is not seller staff, else the view with `request.farmer_seller_ids`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("farmer:login"))
        if not user_is_seller_staff(request.user):
            return render(request, "farmer/forbidden.html", status=403)
        request.farmer_seller_ids = user_seller_ids(request.user)
        return view(request, *args, **kwargs)

    return wrapper
