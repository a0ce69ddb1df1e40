"""Card webhooks per second on PostgreSQL: verify, store once, pay the order.

    .venv/bin/python bench/payments_webhooks.py [orders] [threads]   # 300, 4

1. (re)creates the database `nq_bench_payments` (BENCH_PG_URL, default
   postgres://postgres@127.0.0.1:5432) and migrates it;
2. creates `orders` unpaid card orders, each with a processing payment;
3. "first": `threads` workers deliver one signed `payment_intent.succeeded`
   per order through the real view (signature check, event stored under its
   unique id, order paid with its shipments and history) — prints events/s
   and p50/p95 latency;
4. "replay": every event delivered again (the gateway retrying) — duplicates
   must be cheap and change nothing;
5. checks that every order is paid exactly once.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "nq_bench_payments"
SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SECRET = "whsec_bench"  # noqa: S105 — a bench-only key


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ["PAYMENT_WEBHOOK_SECRET"] = SECRET
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_payments(count: int) -> list:
    from market.checkout.models import Order
    from market.checkout.services.numbers import (
        access_token_generate,
        order_number_generate,
    )
    from market.payments.models import Payment

    payments = []
    for n in range(count):
        order = Order.objects.create(
            number=order_number_generate(),
            access_token=access_token_generate(),
            customer_name="Khách thử",
            phone="0912345678",
            province_code=1,
            payment_method="card",
            subtotal_vnd=100_000,
            shipping_vnd=20_000,
            total_vnd=120_000,
        )
        payments.append(
            Payment.objects.create(
                order=order,
                provider="card",
                reference=f"pi_bench_{n}",
                amount_vnd=order.total_vnd,
                status="processing",
                idempotency_key=f"pay_bench_{n}",
            )
        )
    return payments


def signed_events(payments) -> list[tuple[bytes, str]]:
    from market.payments.signatures import stripe_signature_header

    events = []
    for payment in payments:
        body = json.dumps(
            {
                "id": f"evt_bench_{payment.pk}",
                "type": "payment_intent.succeeded",
                "created": int(time.time()),
                "data": {
                    "object": {
                        "id": payment.reference,
                        "amount": payment.amount_vnd,
                        "currency": "vnd",
                        "status": "succeeded",
                        "metadata": {"payment_id": str(payment.pk)},
                    }
                },
            }
        ).encode()
        header = stripe_signature_header(
            payload=body, secret=SECRET, timestamp=int(time.time())
        )
        events.append((body, header))
    return events


def deliver(events, threads: int) -> tuple[float, list[float]]:
    from django.db import connections
    from django.test import Client

    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(events)

    def worker():
        client = Client()
        while True:
            with lock:
                if not queue:
                    break
                body, header = queue.pop()
            started = time.perf_counter()
            answer = client.post(
                "/thanh-toan/webhook/the/",
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=header,
            )
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                raise SystemExit(f"webhook answered {answer.status_code}")
            with lock:
                latencies.append(elapsed)
        connections.close_all()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started, latencies


def report(label: str, seconds: float, latencies: list[float]) -> None:
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    print(
        f"{label:8} {len(latencies):4d} events in {seconds:6.2f} s = "
        f"{len(latencies) / seconds:7.1f} events/s   "
        f"p50 {statistics.median(latencies) * 1000:6.1f} ms   p95 {p95:6.1f} ms"
    )


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    recreate_database()
    setup_django()
    payments = create_payments(orders)
    events = signed_events(payments)
    report("first", *deliver(events, threads))
    report("replay", *deliver(events, threads))

    from market.checkout.models import OrderEvent
    from market.payments.models import PaymentEvent

    paid_moves = OrderEvent.objects.filter(to_status="paid").count()
    stored = PaymentEvent.objects.count()
    verdict = "ok" if paid_moves == stored == orders else "MISMATCH"
    print(
        f"orders {orders}, events stored {stored}, orders paid {paid_moves}: {verdict}"
    )


if __name__ == "__main__":
    main()
