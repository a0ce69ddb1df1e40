"""Receivers for the signals market sends (see market/signals.py)."""
