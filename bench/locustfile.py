"""Locust traffic for bench/load.py: shoppers on two app hosts.

Each simulated shopper sticks to one host (LOAD_HOSTS, comma-separated),
browses the market, searches, opens products, scans a label (LOAD_SCANS: a
file of signed scan paths) and now and then buys: cart, quote, then places
an order paid by VietQR bank transfer or by card. Each placed order's number
is appended to LOAD_ORDERS, so bench/load.py can check none was lost.

A card payment goes the way the payment page's script goes: our server
starts a SetupIntent, the card is saved at the gateway (localstripe,
LOAD_GATEWAY) with the gateway's publishable key as Stripe.js would send it,
our server charges the saved card, and the shopper's page polls the status
until the gateway's signed webhook (sent to the first host) marks the order
paid. Card orders are also appended to LOAD_ORDERS.card with "paid" or
"unpaid" after at most CARD_WAIT seconds.
"""

from __future__ import annotations

import html
import itertools
import os
import random
import re
import time
from pathlib import Path

from locust import HttpUser, between, task

HOSTS = os.environ["LOAD_HOSTS"].split(",")
SCANS = Path(os.environ["LOAD_SCANS"]).read_text().split()
ORDERS = Path(os.environ["LOAD_ORDERS"])
GATEWAY = os.environ.get("LOAD_GATEWAY", "")
CARD_WAIT = 30
WORDS = ["nước mắm", "nuoc mam", "chè", "mật ong", "gạo", "cà phê", "dứa"]
_next_host = itertools.count()
PRODUCT_LINK = re.compile(r'<h2><a href="(/cho/[^"]+/[^"]+/)">')
VARIANT = re.compile(r'name="variant" id="variant-(\d+)" value="\d+"(?! disabled)')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOTAL = re.compile(r'name="quoted_total" value="(\d+)"')
CARD = {
    name: re.compile(rf'{attribute}="([^"]+)"')
    for name, attribute in (
        ("key", "data-key"),
        ("setup", "data-setup-url"),
        ("pay", "data-pay-url"),
        ("status", "data-status-url"),
    )
}


class Shopper(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.base = HOSTS[next(_next_host) % len(HOSTS)]
        self.products: list[str] = []

    def _get(self, path: str, name: str):
        return self.client.get(self.base + path, name=name)

    @task(4)
    def browse(self):
        html = self._get("/cho/", "market list").text
        self.products = PRODUCT_LINK.findall(html) or self.products
        self._get("/", "home")

    @task(3)
    def search(self):
        self.client.get(
            self.base + "/search/", params={"q": random.choice(WORDS)}, name="search"
        )

    @task(6)
    def product(self):
        if not self.products:
            return self.browse()
        self._get(random.choice(self.products), "product")

    @task(3)
    def scan(self):
        self._get(random.choice(SCANS), "scan")

    @task(1)
    def buy(self):
        if not self.products:
            return self.browse()
        page = self._get(random.choice(self.products), "product").text
        variants = VARIANT.findall(page)
        if not variants:
            return
        token = TOKEN.search(page).group(1)
        self.client.post(
            self.base + "/gio-hang/them/",
            {
                "variant": random.choice(variants),
                "quantity": random.randint(1, 2),
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": self.base + "/"},
            name="cart add",
        )
        method = "card" if GATEWAY and random.random() < 0.5 else "vietqr"
        form = {
            "customer_name": "Khách Thử Tải",
            "phone": "0912345678",
            "email": "khach@example.vn",
            "province_code": "1",
            "address_line": "12 ngõ 34 Đội Cấn",
            "payment_method": method,
            "csrfmiddlewaretoken": token,
        }
        headers = {"Referer": self.base + "/thanh-toan/"}
        quote = self.client.post(
            self.base + "/thanh-toan/",
            {**form, "action": "quote"},
            headers=headers,
            name="checkout quote",
        )
        total = TOTAL.search(quote.text)
        if not total:
            return
        with self.client.post(
            self.base + "/thanh-toan/",
            {
                **form,
                "ward_code": "4",
                "action": "place",
                "quoted_total": total.group(1),
            },
            headers=headers,
            name=f"checkout place ({'card' if method == 'card' else 'VietQR'})",
            allow_redirects=False,
            catch_response=True,
        ) as placed:
            location = placed.headers.get("Location", "")
            number = re.search(r"/don-hang/([^/]+)/", location)
            if placed.status_code == 302 and number:
                with ORDERS.open("a") as out:
                    out.write(number.group(1) + "\n")
                placed.success()
            elif placed.status_code == 200:
                # The form again, saying why (sold out meanwhile, total changed).
                with ORDERS.with_suffix(".refused").open("a") as out:
                    out.write("1\n")
                placed.success()
            else:
                placed.failure(f"no order: {placed.status_code}")
        # After the place request is reported, not inside its block.
        if method == "card" and placed.status_code == 302 and number:
            self.pay_by_card(number.group(1), location)

    def pay_by_card(self, number: str, order_path: str) -> None:
        page = self.client.get(self.base + order_path, name="order page").text
        found = {name: pattern.search(page) for name, pattern in CARD.items()}
        if not all(found.values()):
            return self._card_outcome(number, "unpaid")
        key, setup_url, pay_url, status_url = (
            html.unescape(found[name].group(1))
            for name in ("key", "setup", "pay", "status")
        )
        setup = self.client.post(self.base + setup_url, name="card setup").json()
        secret = setup.get("client_secret", "")
        intent = secret.split("_secret_")[0]
        # What the gateway's script sends when the shopper presses "Thanh toán".
        saved = self.client.post(
            f"{GATEWAY}/v1/setup_intents/{intent}/confirm",
            json={
                "key": key,
                "client_secret": secret,
                "payment_method_data": {
                    "type": "card",
                    "card": {
                        "number": "4242424242424242",
                        "exp_month": "12",
                        "exp_year": "30",
                        "cvc": "123",
                    },
                    "billing_details": {"address": {"postal_code": "10000"}},
                },
            },
            name="gateway: save card",
        ).json()
        answer = self.client.post(
            self.base + pay_url,
            {"payment_method": saved.get("payment_method", "")},
            name="card pay",
        ).json()
        if answer.get("status") not in ("processing", "succeeded"):
            return self._card_outcome(number, "unpaid")
        deadline = time.monotonic() + CARD_WAIT
        while time.monotonic() < deadline:
            status = self.client.get(self.base + status_url, name="payment status")
            if status.ok and status.json().get("paid"):
                return self._card_outcome(number, "paid")
            time.sleep(1)
        self._card_outcome(number, "unpaid")

    @staticmethod
    def _card_outcome(number: str, outcome: str) -> None:
        with ORDERS.with_suffix(".card").open("a") as out:
            out.write(f"{number} {outcome}\n")
