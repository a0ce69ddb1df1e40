"""Wagtail admin hooks of the market app; each area registers its own."""

from market.staff import catalogue, moderation, sellers, stock  # noqa: F401
