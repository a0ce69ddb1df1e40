"""Wagtail admin views of the traceability app (registered in wagtail_hooks.py)."""
