"""A small client for a Stripe-compatible card gateway, over plain `requests`.

It only speaks HTTP: form-encoded POSTs, each with an `Idempotency-Key`
chosen by the caller (so a retry sends the same key), explicit timeouts, and
answers turned into dataclasses. Failures become typed errors:

- `PaymentDeclined`: the bank said no (HTTP 402); retrying will not help.
- `GatewayUnavailable`: we could not tell what happened (timeout, dropped
  connection, 5xx); retry with the same idempotency key.
- `GatewayError`: the gateway refused the request (4xx); a bug or bad data.

VND is a zero-decimal currency: every amount is a whole number of dong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings

CURRENCY = "vnd"


class GatewayError(Exception):
    """The gateway answered with an error we did not expect."""

    def __init__(self, message: str, *, status: int | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class GatewayUnavailable(GatewayError):
    """No usable answer: timeout, dropped connection or a 5xx. Retry later
    with the same idempotency key."""


class PaymentDeclined(GatewayError):
    """The card was declined; the shopper must use another card."""


@dataclass(frozen=True)
class SetupIntent:
    id: str
    client_secret: str
    status: str
    payment_method: str | None


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    amount: int
    currency: str
    status: str
    client_secret: str
    payment_method: str | None
    latest_charge: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    last_error: str = ""

    @property
    def needs_action(self) -> bool:
        return self.status == "requires_action"


@dataclass(frozen=True)
class Refund:
    id: str
    amount: int
    status: str
    payment_intent: str | None
    charge: str | None


def _charge_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value


def payment_intent_from(data: dict[str, Any]) -> PaymentIntent:
    """A PaymentIntent from the gateway's JSON (also used for webhook events)."""
    error = data.get("last_payment_error") or {}
    return PaymentIntent(
        id=data["id"],
        amount=int(data["amount"]),
        currency=str(data.get("currency", "")).lower(),
        status=data["status"],
        client_secret=data.get("client_secret") or "",
        payment_method=data.get("payment_method"),
        latest_charge=_charge_id(data.get("latest_charge")),
        metadata=dict(data.get("metadata") or {}),
        last_error=error.get("message", "") if isinstance(error, dict) else "",
    )


class GatewayClient:
    """Calls to one Stripe-compatible server; settings give the defaults."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        secret_key: str | None = None,
        timeout: float | None = None,
        session: requests.Session | None = None,
    ):
        self.base_url = (base_url or settings.PAYMENT_GATEWAY_URL).rstrip("/")
        self.secret_key = secret_key or settings.PAYMENT_GATEWAY_SECRET_KEY
        self.timeout = (
            timeout if timeout is not None else settings.PAYMENT_GATEWAY_TIMEOUT
        )
        self.session = session or requests.Session()

    # --- requests ---------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        data: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.secret_key}"}
        if method == "POST":
            if not idempotency_key:
                raise ValueError("every POST to the gateway needs an idempotency key")
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = self.session.request(
                method,
                f"{self.base_url}{path}",
                data=data,
                headers=headers,
                # (connect, read): a slow gateway must never hang a web worker.
                timeout=(min(self.timeout, 5.0), self.timeout),
            )
        except requests.Timeout as exc:
            raise GatewayUnavailable("gateway timed out") from exc
        except requests.ConnectionError as exc:
            raise GatewayUnavailable("could not reach the gateway") from exc
        return self._answer(response)

    @staticmethod
    def _answer(response: requests.Response) -> dict[str, Any]:
        if response.status_code >= 500:
            raise GatewayUnavailable(
                f"gateway error {response.status_code}", status=response.status_code
            )
        if response.status_code < 400 and not response.content.strip():
            return {}
        try:
            body = response.json()
        except ValueError as exc:
            raise GatewayUnavailable(
                "gateway sent something that is not JSON", status=response.status_code
            ) from exc
        if response.status_code < 400:
            return body
        error = body.get("error") or {}
        message = error.get("message") or f"HTTP {response.status_code}"
        code = error.get("code") or ""
        if response.status_code == 402:
            raise PaymentDeclined(message, status=402, code=code)
        raise GatewayError(message, status=response.status_code, code=code)

    # --- SetupIntents -----------------------------------------------------

    def create_setup_intent(self, *, idempotency_key: str) -> SetupIntent:
        """A SetupIntent the browser confirms with the card (confirmCardSetup)."""
        data = self._request(
            "POST",
            "/v1/setup_intents",
            data={"usage": "on_session", "payment_method_types[]": "card"},
            idempotency_key=idempotency_key,
        )
        return SetupIntent(
            id=data["id"],
            client_secret=data["client_secret"],
            status=data["status"],
            payment_method=data.get("payment_method"),
        )

    # --- PaymentIntents ---------------------------------------------------

    def create_payment_intent(
        self,
        *,
        amount_vnd: int,
        payment_method: str,
        idempotency_key: str,
        metadata: dict[str, str] | None = None,
    ) -> PaymentIntent:
        """A PaymentIntent for whole dong with the card already attached.

        It is not confirmed yet: call `confirm_payment_intent`. (Confirming
        with a payment method in the same call is not supported everywhere.)
        """
        if int(amount_vnd) != amount_vnd or amount_vnd <= 0:
            raise ValueError("amount must be a positive whole number of dong")
        data: dict[str, Any] = {
            "amount": int(amount_vnd),
            "currency": CURRENCY,
            "payment_method": payment_method,
            "payment_method_types[]": "card",
        }
        for key, value in (metadata or {}).items():
            data[f"metadata[{key}]"] = value
        body = self._request(
            "POST", "/v1/payment_intents", data=data, idempotency_key=idempotency_key
        )
        return payment_intent_from(body)

    def confirm_payment_intent(
        self, payment_intent_id: str, *, idempotency_key: str
    ) -> PaymentIntent:
        """Confirm with no parameters; a decline raises `PaymentDeclined`."""
        body = self._request(
            "POST",
            f"/v1/payment_intents/{payment_intent_id}/confirm",
            idempotency_key=idempotency_key,
        )
        return payment_intent_from(body)

    def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntent:
        return payment_intent_from(
            self._request("GET", f"/v1/payment_intents/{payment_intent_id}")
        )

    # --- Refunds ----------------------------------------------------------

    def create_refund(
        self,
        *,
        payment_intent_id: str,
        amount_vnd: int,
        idempotency_key: str,
        metadata: dict[str, str] | None = None,
    ) -> Refund:
        """Give back `amount_vnd` (whole dong) of a succeeded PaymentIntent."""
        if int(amount_vnd) != amount_vnd or amount_vnd <= 0:
            raise ValueError("amount must be a positive whole number of dong")
        data: dict[str, Any] = {
            "payment_intent": payment_intent_id,
            "amount": int(amount_vnd),
        }
        for key, value in (metadata or {}).items():
            data[f"metadata[{key}]"] = value
        body = self._request(
            "POST", "/v1/refunds", data=data, idempotency_key=idempotency_key
        )
        return Refund(
            id=body["id"],
            amount=int(body["amount"]),
            status=body.get("status", ""),
            payment_intent=body.get("payment_intent"),
            charge=_charge_id(body.get("charge")),
        )

    # --- webhooks (localstripe's configuration endpoint) ------------------

    def register_webhook(self, *, name: str, url: str, secret: str) -> None:
        """Ask a localstripe server to send signed events to `url`.

        Real Stripe registers endpoints in its dashboard; this is the
        test server's own `/_config/webhooks/{id}`.
        """
        self._request(
            "POST",
            f"/_config/webhooks/{name}",
            data={"url": url, "secret": secret},
            idempotency_key=f"webhook-{name}",
        )


def get_client() -> GatewayClient:
    return GatewayClient()
