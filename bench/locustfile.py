"""Locust traffic for bench/load.py: shoppers on two app hosts.

Each simulated shopper sticks to one host (LOAD_HOSTS, comma-separated),
browses the market, searches, opens products, scans a label (LOAD_SCANS: a
file of signed scan paths) and now and then buys: cart, quote, then places
an order paid by VietQR bank transfer. Each placed order's number is
appended to LOAD_ORDERS, so bench/load.py can check none was lost.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

HOSTS = os.environ["LOAD_HOSTS"].split(",")
SCANS = Path(os.environ["LOAD_SCANS"]).read_text().split()
ORDERS = Path(os.environ["LOAD_ORDERS"])
WORDS = ["nước mắm", "nuoc mam", "chè", "mật ong", "gạo", "cà phê", "dứa"]
_next_host = itertools.count()
PRODUCT_LINK = re.compile(r'<h2><a href="(/cho/[^"]+/[^"]+/)">')
VARIANT = re.compile(r'name="variant" id="variant-(\d+)" value="\d+"(?! disabled)')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOTAL = re.compile(r'name="quoted_total" value="(\d+)"')


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
        form = {
            "customer_name": "Khách Thử Tải",
            "phone": "0912345678",
            "email": "khach@example.vn",
            "province_code": "1",
            "address_line": "12 ngõ 34 Đội Cấn",
            "payment_method": "vietqr",
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
            name="checkout place (VietQR)",
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
