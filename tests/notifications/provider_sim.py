"""A local stand-in for eSMS.vn and Zalo ZNS, speaking their documented
request and answer shapes (see market/notifications/clients.py for the
references), on a loopback port of its own.

eSMS  POST /MainService.svc/json/SendMultipleMessage_V4_post_json/
      JSON {ApiKey, SecretKey, Phone, Content, SmsType, IsUnicode, Sandbox,
      RequestId, Brandname?} → {"CodeResult": "100", "SMSID": "…"}; 101 for
      a wrong key pair, 108 for a malformed phone, 124 for a RequestId seen
      before, 103 when the balance is empty.
ZNS   POST /message/template, header access_token, JSON {phone, template_id,
      template_data, tracking_id} → {"error": 0, "message": "Success",
      "data": {"msg_id", "sent_time", "quota"}}; -124 for an unknown or
      expired token, -108 for a malformed phone, -109 for an unknown
      template, -118 for a number without a Zalo account.
OAuth POST /v4/oa/access_token, header secret_key, form {refresh_token,
      app_id, grant_type=refresh_token} → {"access_token", "refresh_token",
      "expires_in": "90000"}; a refresh token works once (the new access
      token replaces the old one). The error answer for a spent refresh
      token is our own guess ({"error": -14014, "error_name": …}): Zalo's
      pages we followed do not show it.

Faults a real provider will not produce on demand: `fail_next(n, fault)`
answers the next n requests with "500" (HTTP 500), "slow" (answers after
`slow_seconds`, past the client's timeout) or "garbage" (200 with HTML).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

ESMS_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ZNS_PATH = "/message/template"
OAUTH_PATH = "/v4/oa/access_token"
_PHONE = re.compile(r"^(84|0)[35789]\d{8}$")
_ZNS_PHONE = re.compile(r"^84[35789]\d{8}$")


@dataclass
class Request:
    path: str
    headers: dict
    body: dict


@dataclass
class ProviderSim:
    api_key: str = "esms-key"
    secret_key: str = "esms-secret"
    zalo_token: str = "zalo-token-1"
    templates: set = field(default_factory=lambda: {"401001", "401002", "401003"})
    no_zalo: set = field(default_factory=set)  # numbers without Zalo
    balance: int = 1000
    slow_seconds: float = 1.5
    app_id: str = "zalo-app"
    app_secret: str = "zalo-app-secret"
    refresh_tokens: set = field(default_factory=lambda: {"refresh-1"})
    issued: int = 0
    requests: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    request_ids: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    # --- control -------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, count: int, fault: str) -> None:
        with self.lock:
            self.faults.extend([fault] * count)

    def sms(self) -> list[Request]:
        return [r for r in self.requests if r.path == ESMS_PATH]

    def zns(self) -> list[Request]:
        return [r for r in self.requests if r.path == ZNS_PATH]

    def oauth_calls(self) -> list[Request]:
        return [r for r in self.requests if r.path == OAUTH_PATH]

    def _fault(self) -> str | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    # --- the two APIs ------------------------------------------------------------

    def esms(self, body: dict) -> dict:
        if (body.get("ApiKey"), body.get("SecretKey")) != (
            self.api_key,
            self.secret_key,
        ):
            return {"CodeResult": "101", "ErrorMessage": "Sai ApiKey hoặc SecretKey"}
        if not _PHONE.match(str(body.get("Phone", ""))):
            return {"CodeResult": "108", "ErrorMessage": "Phone not valid"}
        request_id = body.get("RequestId") or ""
        with self.lock:
            if request_id and request_id in self.request_ids:
                return {"CodeResult": "124", "ErrorMessage": "Duplicate RequestId"}
            if self.balance <= 0:
                return {"CodeResult": "103", "ErrorMessage": "Balance not enough"}
            self.balance -= 1
            self.request_ids.add(request_id)
        return {"CodeResult": "100", "CountRegenerate": 0, "SMSID": uuid.uuid4().hex}

    def oauth(self, headers: dict, form: dict) -> dict:
        if headers.get("secret_key") != self.app_secret or form.get("app_id") != (
            self.app_id
        ):
            return {"error": -14002, "error_name": "Invalid app"}
        token = form.get("refresh_token", "")
        with self.lock:
            if form.get("grant_type") != "refresh_token" or token not in (
                self.refresh_tokens
            ):
                return {"error": -14014, "error_name": "Invalid refresh token"}
            self.refresh_tokens.discard(token)
            self.issued += 1
            self.zalo_token = f"zalo-token-r{self.issued}"
            fresh = f"refresh-r{self.issued}"
            self.refresh_tokens.add(fresh)
        return {
            "access_token": self.zalo_token,
            "refresh_token": fresh,
            "expires_in": "90000",
        }

    def zalo(self, headers: dict, body: dict) -> dict:
        if headers.get("access_token") != self.zalo_token:
            return {"error": -124, "message": "Access token is invalid"}
        phone = str(body.get("phone", ""))
        if not _ZNS_PHONE.match(phone):
            return {"error": -108, "message": "Phone number is invalid"}
        if body.get("template_id") not in self.templates:
            return {"error": -109, "message": "Template ID is invalid"}
        if not body.get("template_data"):
            return {"error": -111, "message": "Template data is empty"}
        if phone in self.no_zalo:
            return {"error": -118, "message": "Zalo account is not existed"}
        return {
            "error": 0,
            "message": "Success",
            "data": {
                "msg_id": uuid.uuid4().hex[:32],
                "sent_time": str(int(time.time() * 1000)),
                "quota": {"dailyQuota": "500", "remainingQuota": "499"},
            },
        }


class Handler(BaseHTTPRequestHandler):
    sim: ProviderSim  # set by start()

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if "form-urlencoded" in (self.headers.get("Content-Type") or ""):
            body = dict(parse_qsl(raw.decode()))
        else:
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.sim.requests.append(Request(self.path, headers, body))
        self._send(*self._answer(self.sim._fault(), headers, body))

    def _answer(self, fault, headers, body) -> tuple[int, bytes, str]:
        if fault == "500":
            return 500, b"Internal Server Error", "text/plain"
        if fault == "slow":
            time.sleep(self.sim.slow_seconds)
        if fault == "garbage":
            return 200, b"<html>Bad gateway</html>", "text/html"
        if self.path == ESMS_PATH:
            answer = self.sim.esms(body)
        elif self.path == ZNS_PATH:
            answer = self.sim.zalo(headers, body)
        elif self.path == OAUTH_PATH:
            answer = self.sim.oauth(headers, body)
        else:
            return 404, b"not found", "text/plain"
        return 200, json.dumps(answer).encode(), "application/json"

    def _send(self, status: int, data: bytes, content_type: str):
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


def start(sim: ProviderSim | None = None, port: int = 0) -> ProviderSim:
    sim = sim or ProviderSim()
    handler = type("SimHandler", (Handler,), {"sim": sim})
    sim.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    sim.server.daemon_threads = True
    threading.Thread(target=sim.server.serve_forever, daemon=True).start()
    return sim


def stop(sim: ProviderSim) -> None:
    sim.server.shutdown()
    sim.server.server_close()
