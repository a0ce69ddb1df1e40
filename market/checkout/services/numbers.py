"""Order numbers and order-link secrets."""

from __future__ import annotations

import secrets

# No 0/O or 1/I: the number is read aloud on the phone and typed into bank
# transfer notes, where those pairs get mixed up.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PREFIX = "NQ"
LENGTH = 6


def order_number_generate() -> str:
    """`NQ` + 6 random characters (32**6 ≈ 10**9 numbers)."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def access_token_generate() -> str:
    return secrets.token_urlsafe(32)


def order_number_normalize(value: str) -> str:
    """Upper-case, without spaces; how a shopper may type it back."""
    return "".join(value.split()).upper()
