"""Wagtail admin hooks of the traceability app; each staff module registers
its own views and menu items when imported."""

from traceability.staff import (  # noqa: F401
    diary,
    farms,
    lots,
    packing,
    recalls,
    reports,
    scans,
    trace,
)
