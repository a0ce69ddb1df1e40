"""Demo data for `manage.py seed_demo`: shipping tariffs and sample orders.

Idempotent: every step gets or creates by a natural key, so a second run
changes nothing.
"""

from __future__ import annotations


def seed_checkout() -> None:
    """shipping tariffs and sample orders (filled in by the checkout work)."""
