"""Demo data for `manage.py seed_demo`: farms with diaries, lots, label runs and scans.

Idempotent: every step gets or creates by a natural key, so a second run
changes nothing.
"""

from __future__ import annotations


def seed_traceability() -> None:
    """farms with diaries, lots, label runs and scans (filled in by the traceability work)."""
