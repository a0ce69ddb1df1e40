"""A stand-in for the bank-feed services (SePay, Casso, payOS): it builds
their documented request shapes and delivers them over HTTP the way they
do, retrying a call that did not get a 2xx answer (SePay retries up to 7
times with growing pauses; the pauses here are short)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from market.payments.bank_feeds import payos_signature


@dataclass
class Call:
    path: str
    body: bytes
    headers: dict


def sepay_call(*, api_key: str, amount: int, content: str, ref: str, sepay_id=92704):
    payload = {
        "id": sepay_id,
        "gateway": "Vietcombank",
        "transactionDate": "2026-11-23 09:15:00",
        "accountNumber": "0123499999",
        "code": None,
        "content": content,
        "transferType": "in",
        "transferAmount": amount,
        "accumulated": 19_077_000,
        "subAccount": None,
        "referenceCode": ref,
        "description": f"BankAPINotify {content}",
    }
    return Call(
        "/thanh-toan/webhook/sepay/",
        json.dumps(payload).encode(),
        {"Authorization": f"Apikey {api_key}", "Content-Type": "application/json"},
    )


def casso_call(*, token: str, records: list[dict]):
    payload = {"error": 0, "data": records}
    return Call(
        "/thanh-toan/webhook/casso/",
        json.dumps(payload).encode(),
        {"Secure-Token": token, "Content-Type": "application/json"},
    )


def casso_record(*, amount: int, description: str, tid: str, casso_id=1):
    return {
        "id": casso_id,
        "tid": tid,
        "description": description,
        "amount": amount,
        "cusum_balance": 19_077_000,
        "when": "2026-11-23 09:15:00",
        "bank_sub_acc_id": "0123499999",
        "subAccId": "0123499999",
    }


def payos_call(*, checksum_key: str, amount: int, description: str, ref: str):
    data = {
        "orderCode": 123,
        "amount": amount,
        "description": description,
        "accountNumber": "12345678",
        "reference": ref,
        "transactionDateTime": "2026-11-23 09:15:00",
        "currency": "VND",
        "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
        "code": "00",
        "desc": "Thành công",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
        "counterAccountName": "",
        "counterAccountNumber": "",
        "virtualAccountName": "",
        "virtualAccountNumber": "",
    }
    payload = {
        "code": "00",
        "desc": "success",
        "success": True,
        "data": data,
        "signature": payos_signature(data, checksum_key=checksum_key),
    }
    return Call(
        "/thanh-toan/webhook/payos/",
        json.dumps(payload).encode(),
        {"Content-Type": "application/json"},
    )


@dataclass
class FeedService:
    """Delivers calls to `base_url`, retrying until a 2xx or `tries` run out."""

    base_url: str
    tries: int = 7
    pause_s: float = 0.05
    answers: list[int] = field(default_factory=list)

    def deliver(self, call: Call, *, before_retry: Callable[[int], None] | None = None):
        for attempt in range(self.tries):
            if attempt and before_retry:
                before_retry(attempt)
            response = requests.post(
                self.base_url + call.path,
                data=call.body,
                headers=call.headers,
                timeout=10,
            )
            self.answers.append(response.status_code)
            if 200 <= response.status_code < 300:
                return response
            time.sleep(self.pause_s * (attempt + 1))
        return response
