"""Demo data for `manage.py seed_demo`: post-office partners, staff, parcels, payouts.

Idempotent: every step gets or creates by a natural key, so a second run
changes nothing.
"""

from __future__ import annotations


def seed_fulfilment() -> None:
    """post-office partners, staff, parcels, payouts (filled in by the fulfilment work)."""
