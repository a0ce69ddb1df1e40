"""Bank-feed services that watch the market's account and call us for each
incoming transfer: SePay, Casso and payOS, in their documented shapes.

Pure format code, no Django imports: each `*_transfers` function checks the
request's credential and turns the body into `FeedTransfer`s, raising
`FeedRejected` (bad credential or body) — the view answers 401/400 then, so
the service shows the failure in its delivery log and retries.

- SePay: `Authorization: Apikey <key>` (its "API Key" authentication); one
  transaction a call: `id`, `gateway`, `transactionDate` ("YYYY-MM-DD
  HH:MM:SS", local), `accountNumber`, `content`, `transferType` ("in" /
  "out"), `transferAmount`, `referenceCode` (the bank's reference); we
  answer `{"success": true}`. It retries failed calls (up to 7 times).
- Casso (webhook v1): header `Secure-Token: <token>`; body `{"error": 0,
  "data": [{"id", "tid" (bank reference), "description", "amount"
  (negative for money out), "when" ("YYYY-MM-DD HH:MM:SS", local), …}]}`.
- payOS: body `{"code", "desc", "success", "data": {"orderCode", "amount",
  "description", "accountNumber", "reference", "transactionDateTime", …},
  "signature"}`; `signature` is HMAC-SHA256 with the checksum key over the
  `data` fields sorted by name as `key=value` joined by `&` (null as "").

A transfer is keyed by the bank's own reference where the service gives it,
so the same transfer reported by two feeds (or by a feed and the statement
import) is recorded once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass


class FeedRejected(ValueError):
    """The call is not from the service (credential) or not its shape."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FeedTransfer:
    transaction_id: str
    amount_vnd: int
    reference: str
    time: str

    def as_notification(self, *, source: str) -> dict:
        """The generic bank notification's fields (`transfers.notification_fields`)."""
        return {
            "transaction_id": self.transaction_id,
            "amount": self.amount_vnd,
            "reference": self.reference,
            "time": self.time,
            "source": source,
        }


def _json(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise FeedRejected("body is not JSON") from exc
    if not isinstance(payload, dict):
        raise FeedRejected("body is not a JSON object")
    return payload


def _credential(given: str, expected: str) -> None:
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise FeedRejected("wrong or missing credential", status=401)


def _amount(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FeedRejected("amount must be a whole number of dong")
    return value


def _text(value, *, name: str, limit: int = 255) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int)):
        raise FeedRejected(f"{name} must be text")
    return str(value).strip()[:limit]


def sepay_transfers(*, body: bytes, authorization: str, api_key: str) -> list:
    scheme, _space, key = authorization.partition(" ")
    _credential(key if scheme == "Apikey" else "", api_key)
    payload = _json(body)
    if payload.get("transferType") != "in":
        return []  # money out of the account: nothing to match
    bank_ref = _text(payload.get("referenceCode"), name="referenceCode", limit=64)
    sepay_id = _text(payload.get("id"), name="id", limit=40)
    if not (bank_ref or sepay_id):
        raise FeedRejected("no transaction id")
    return [
        FeedTransfer(
            transaction_id=bank_ref or f"sepay-{sepay_id}",
            amount_vnd=_amount(payload.get("transferAmount")),
            reference=_text(payload.get("content"), name="content"),
            time=_text(payload.get("transactionDate"), name="transactionDate"),
        )
    ]


def casso_transfers(*, body: bytes, secure_token: str, expected: str) -> list:
    _credential(secure_token, expected)
    payload = _json(body)
    records = payload.get("data")
    if payload.get("error") != 0 or not isinstance(records, list):
        raise FeedRejected("not a Casso transaction list")
    transfers = []
    for record in records:
        if not isinstance(record, dict):
            raise FeedRejected("a transaction is not an object")
        amount = _amount(record.get("amount"))
        if amount <= 0:
            continue  # money out
        tid = _text(record.get("tid"), name="tid", limit=64)
        casso_id = _text(record.get("id"), name="id", limit=40)
        if not (tid or casso_id):
            raise FeedRejected("no transaction id")
        transfers.append(
            FeedTransfer(
                transaction_id=tid or f"casso-{casso_id}",
                amount_vnd=amount,
                reference=_text(record.get("description"), name="description"),
                time=_text(record.get("when"), name="when"),
            )
        )
    return transfers


def payos_signature(data: dict, *, checksum_key: str) -> str:
    message = "&".join(
        f"{key}={'' if data[key] is None else data[key]}" for key in sorted(data)
    )
    return hmac.new(checksum_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def payos_transfers(*, body: bytes, checksum_key: str) -> list:
    payload = _json(body)
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(payload.get("signature"), str):
        raise FeedRejected("not a payOS webhook")
    if not checksum_key:
        raise FeedRejected("payOS is not configured", status=401)
    _credential(payload["signature"], payos_signature(data, checksum_key=checksum_key))
    if data.get("code") != "00":
        return []  # not a successful payment
    reference = _text(data.get("reference"), name="reference", limit=64)
    if not reference:
        raise FeedRejected("no transaction reference")
    return [
        FeedTransfer(
            transaction_id=reference,
            amount_vnd=_amount(data.get("amount")),
            reference=_text(data.get("description"), name="description"),
            time=_text(data.get("transactionDateTime"), name="transactionDateTime"),
        )
    ]
