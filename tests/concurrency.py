"""Run one piece of work in several threads released at the same moment.

The concurrency and race tests (PostgreSQL row locks) all need the same
harness: N threads wait at a barrier, each does `work(n)`, each closes its
own database connections, and the test reads what each one got.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def at_once(count: int, work: Callable[[int], object]) -> list:
    """`work(n)` for n in 0..count-1, all started together; each thread's
    return value, or the exception it raised, in thread order."""
    start = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(n: int) -> None:
        try:
            start.wait(timeout=30)
            outcomes[n] = work(n)
        except Exception as error:  # the caller's asserts report it
            outcomes[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def errors_of(outcomes: list) -> list[Exception]:
    return [outcome for outcome in outcomes if isinstance(outcome, Exception)]
