"""Wagtail admin (staff) UI of the market app, one module per area.

Imported by `market/wagtail_hooks.py` so Wagtail registers the hooks.
"""
