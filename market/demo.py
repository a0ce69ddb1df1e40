"""Demo data for `manage.py seed_demo`: stores, products, variants, certifications.

Idempotent: every step gets or creates by a natural key, so a second run
changes nothing.
"""

from __future__ import annotations


def seed_market() -> None:
    """stores, products, variants, certifications (filled in by the market work)."""
