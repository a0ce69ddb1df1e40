"""`{% load money %}` … `{{ amount|vnd }}` → `150.000 ₫` (Vietnamese grouping).

Money is an integer number of dong everywhere; it is only formatted here, in
templates, with Django's locale formats (so English shows `150,000 ₫`).
"""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """Whole dong with thousands grouped and the ₫ sign; "" for None."""
    if amount is None or amount == "":
        return ""
    # A no-break space keeps the sign on the same line as the number.
    return f"{number_format(int(amount), force_grouping=True)}\u00a0₫"
