"""Small HTTP clients for the SMS and Zalo gateways (plain `requests`).

They only speak HTTP: no Django, no database. Each `send` returns the
provider's message id or raises

* `ChannelRejected` — permanent: this message will never go as it is (an
  invalid phone number, a wrong template, a key the provider refuses). Not
  retried; the delivery log says what to fix.
* `ChannelUnavailable` — for now: a timeout, a dropped connection, a 5xx, the
  provider's "unknown error", no balance or quota left, an expired Zalo
  access token. Retried with backoff.

eSMS.vn (ViHAT) — `POST /MainService.svc/json/SendMultipleMessage_V4_post_json/`,
JSON body `ApiKey, SecretKey, Phone, Content, SmsType, Brandname, IsUnicode,
Sandbox, RequestId`; answer `{"CodeResult": "100", "SMSID": "…"}` when
accepted, else `CodeResult` is an error code from its table
(https://developers.esms.vn/en/esms-api/table-of-error-codes).

Zalo ZNS — `POST https://business.openapi.zalo.me/message/template` with the
Official Account's token in the `access_token` header and JSON
`phone (84…), template_id, template_data, tracking_id`; answer
`{"error": 0, "message": "Success", "data": {"msg_id": "…"}}`, else a
negative `error` from ZNS's table
(https://zalo.cloud/zns/guidelines/handle-error-code).
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

TIMEOUT_SECONDS = 10
USER_AGENT = "NguonQue-Notifications/1"


class ChannelError(Exception):
    """A message the channel did not take. `code` is the provider's code (or
    the HTTP status), `detail` its words."""

    def __init__(self, detail: str, *, code: str = ""):
        super().__init__(f"{code}: {detail}" if code else detail)
        self.code = str(code)
        self.detail = detail


class ChannelRejected(ChannelError):
    """Permanent: retrying the same message cannot succeed."""


class ChannelUnavailable(ChannelError):
    """For now: the same message may go later."""


class TokenExpired(ChannelUnavailable):
    """Zalo's access token is expired or invalid (ZNS error -124): retried,
    so the messages go once the operator sets a fresh token."""


def _post_json(url: str, *, json: dict, headers: dict, timeout: float) -> dict:
    try:
        response = requests.post(
            url,
            json=json,
            headers={"User-Agent": USER_AGENT, **headers},
            timeout=timeout,
        )
    except requests.Timeout as error:
        raise ChannelUnavailable(f"no answer within {timeout} s") from error
    except requests.RequestException as error:
        raise ChannelUnavailable(f"{type(error).__name__}: {error}"[:200]) from error
    if response.status_code >= 500 or response.status_code == 429:
        raise ChannelUnavailable(
            response.text[:200] or "server error", code=str(response.status_code)
        )
    if response.status_code >= 400:
        raise ChannelRejected(
            response.text[:200] or "refused", code=str(response.status_code)
        )
    try:
        document = response.json()
    except ValueError as error:
        raise ChannelUnavailable(
            f"not JSON: {response.text[:100]!r}", code=str(response.status_code)
        ) from error
    if not isinstance(document, dict):
        raise ChannelUnavailable("answer is not a JSON object")
    return document


# --- eSMS.vn --------------------------------------------------------------------

ESMS_ACCEPTED = "100"
ESMS_DUPLICATE_REQUEST = "124"  # this RequestId was accepted before
# Codes that mean "later": no balance (103), eSMS's own trouble (99 is also
# "number blocked", which is permanent, so it is not here).
ESMS_RETRYABLE = {"103"}
ESMS_ERRORS = {
    "99": "the phone number is blocked",
    "101": "wrong ApiKey or SecretKey",
    "102": "no price list for this account",
    "103": "not enough balance",
    "104": "brand name not registered",
    "108": "phone number not in a correct format",
    "118": "message type not supported",
    "140": "server IP not whitelisted",
    "146": "text does not match a registered customer-care template",
    "177": "mobile network not registered for this brand name",
}


@dataclass
class EsmsClient:
    api_key: str
    secret_key: str
    brandname: str = ""
    sms_type: str = "2"  # 2: customer care (brand name)
    sandbox: bool = False
    base_url: str = "https://rest.esms.vn"
    timeout: float = TIMEOUT_SECONDS

    def send(self, *, phone: str, text: str, unicode: bool, request_id: str) -> str:
        """Send one SMS; returns eSMS's SMSID. A retry with the same
        `request_id` after a lost answer is answered 124 by eSMS, which means
        it already has the message: that counts as sent (id unknown)."""
        body = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": phone,
            "Content": text,
            "SmsType": self.sms_type,
            "IsUnicode": "1" if unicode else "0",
            "Sandbox": "1" if self.sandbox else "0",
            "RequestId": request_id,
        }
        if self.brandname:
            body["Brandname"] = self.brandname
        answer = _post_json(
            f"{self.base_url.rstrip('/')}/MainService.svc/json/"
            "SendMultipleMessage_V4_post_json/",
            json=body,
            headers={},
            timeout=self.timeout,
        )
        code = str(answer.get("CodeResult", ""))
        if code == ESMS_ACCEPTED:
            return str(answer.get("SMSID") or "")
        if code == ESMS_DUPLICATE_REQUEST:
            return ""
        detail = answer.get("ErrorMessage") or ESMS_ERRORS.get(code, "unknown code")
        if code in ESMS_RETRYABLE or not code:
            raise ChannelUnavailable(str(detail), code=code)
        raise ChannelRejected(str(detail), code=code)


# --- Zalo ZNS ------------------------------------------------------------------

ZNS_UNKNOWN_ERROR = -100
ZNS_TOKEN_INVALID = -124
ZNS_OUT_OF_QUOTA = -115
# Retryable besides the token: Zalo's "unknown error, try again later" and
# an exhausted quota (it is topped up or resets).
ZNS_RETRYABLE = {ZNS_UNKNOWN_ERROR, ZNS_OUT_OF_QUOTA}
ZNS_ERRORS = {
    -100: "unknown error, try again later",
    -108: "phone number invalid",
    -109: "template id invalid",
    -111: "template data empty",
    -112: "template data invalid",
    -115: "out of quota",
    -118: "Zalo account does not exist or is disabled",
    -119: "account cannot receive ZNS",
    -124: "access token invalid or expired",
}


@dataclass
class ZnsClient:
    access_token: str
    base_url: str = "https://business.openapi.zalo.me"
    timeout: float = TIMEOUT_SECONDS

    def send(
        self, *, phone: str, template_id: str, template_data: dict, tracking_id: str
    ) -> str:
        """Send one ZNS template message to `phone` (84…); returns msg_id."""
        answer = _post_json(
            f"{self.base_url.rstrip('/')}/message/template",
            json={
                "phone": phone,
                "template_id": template_id,
                "template_data": template_data,
                "tracking_id": tracking_id,
            },
            headers={"access_token": self.access_token},
            timeout=self.timeout,
        )
        try:
            code = int(answer.get("error", ZNS_UNKNOWN_ERROR))
        except (TypeError, ValueError):
            code = ZNS_UNKNOWN_ERROR
        if code == 0:
            data = answer.get("data") or {}
            return str(data.get("msg_id") or "")
        detail = str(answer.get("message") or ZNS_ERRORS.get(code, "error"))
        if code == ZNS_TOKEN_INVALID:
            raise TokenExpired(detail, code=str(code))
        if code in ZNS_RETRYABLE:
            raise ChannelUnavailable(detail, code=str(code))
        raise ChannelRejected(detail, code=str(code))


# --- Zalo OAuth (refreshing the OA access token) --------------------------------


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds


@dataclass
class ZaloOAuthClient:
    """`POST https://oauth.zaloapp.com/v4/oa/access_token`, form-encoded
    `refresh_token, app_id, grant_type=refresh_token`, the app's secret in the
    `secret_key` header; answers `{"access_token", "refresh_token",
    "expires_in"}` (a refresh token is good for one use and about 3 months)."""

    app_id: str
    app_secret: str
    base_url: str = "https://oauth.zaloapp.com"
    timeout: float = TIMEOUT_SECONDS

    def refresh(self, *, refresh_token: str) -> TokenPair:
        url = f"{self.base_url.rstrip('/')}/v4/oa/access_token"
        try:
            response = requests.post(
                url,
                data={
                    "refresh_token": refresh_token,
                    "app_id": self.app_id,
                    "grant_type": "refresh_token",
                },
                headers={"User-Agent": USER_AGENT, "secret_key": self.app_secret},
                timeout=self.timeout,
            )
            answer = response.json()
        except requests.RequestException as error:
            raise ChannelUnavailable(f"token refresh: {error}"[:200]) from error
        except ValueError as error:
            raise ChannelUnavailable("token refresh: answer is not JSON") from error
        if not isinstance(answer, dict) or not answer.get("access_token"):
            detail = "token refresh refused"
            if isinstance(answer, dict):
                detail = str(
                    answer.get("error_description")
                    or answer.get("error_name")
                    or detail
                )
            raise TokenExpired(
                detail,
                code=str(answer.get("error", "")) if isinstance(answer, dict) else "",
            )
        try:
            expires_in = int(answer.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0
        return TokenPair(
            access_token=str(answer["access_token"]),
            refresh_token=str(answer.get("refresh_token") or refresh_token),
            expires_in=expires_in,
        )
