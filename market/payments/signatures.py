"""Webhook signatures, checked over the raw request body. No Django imports.

- Card gateway (Stripe scheme): header `Stripe-Signature: t=<unix>,v1=<hex>`
  where hex = HMAC-SHA256(secret, "<t>.<body>"); several v1 values may be
  present while a secret is being rotated. Events older or newer than the
  tolerance (300 s) are refused, so a captured request cannot be replayed
  later.
- Bank notifications: header `X-Signature: <hex>` = HMAC-SHA256(secret, body).
  A replay is harmless there: a bank transaction id is stored only once.
"""

from __future__ import annotations

import hashlib
import hmac
import time

DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The request was not signed by whom it claims, or is too old."""


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def stripe_signature_header(*, payload: bytes, secret: str, timestamp: int) -> str:
    """The header a Stripe-compatible gateway would send with `payload`."""
    signed = f"{timestamp}.".encode("ascii") + payload
    return f"t={timestamp},v1={_hmac_hex(secret, signed)}"


def verify_stripe_signature(
    *,
    payload: bytes,
    header: str,
    secret: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Return the signed timestamp, or raise `SignatureError`."""
    if not secret:
        raise SignatureError("no webhook secret configured")
    timestamp: int | None = None
    candidates: list[str] = []
    for item in (header or "").split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("signature header is missing or malformed")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("signature timestamp is outside the tolerance")
    expected = _hmac_hex(secret, f"{timestamp}.".encode("ascii") + payload)
    # Compare every candidate, in constant time each.
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("signature does not match")
    return timestamp


def bank_signature(*, payload: bytes, secret: str) -> str:
    return _hmac_hex(secret, payload)


def verify_bank_signature(*, payload: bytes, header: str, secret: str) -> None:
    if not secret:
        raise SignatureError("no bank webhook secret configured")
    if not header or not hmac.compare_digest(
        bank_signature(payload=payload, secret=secret), header.strip().lower()
    ):
        raise SignatureError("bank signature does not match")
