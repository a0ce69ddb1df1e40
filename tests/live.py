"""The live server, counting the requests it is still answering.

pytest-django runs one live server per test process for the whole session.
A request can outlive the test that caused it: a payment page's status poll
when the browser closes, or a webhook localstripe sends a second after the
payment. The server thread then writes to the database while the next test
runs. On PostgreSQL the row lands in that test (a stray PaymentEvent); on
in-memory SQLite the server shares the test's connection, and a commit there
leaves the connection mid-transaction under the next test. A test that
starts requests waits for `idle` before it ends.
"""

from __future__ import annotations

import threading
import time


class InFlight:
    """A WSGI app around the live server's own, counting open requests: from
    the call until the server closes the response (also when the client
    hung up)."""

    def __init__(self, app):
        self.app = app
        self.open = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.open += 1
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._closed()
            raise
        return _Body(body, self._closed)

    def _closed(self):
        with self.changed:
            self.open -= 1
            self.changed.notify_all()

    def wait(self, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.open == 0, timeout)


class _Body:
    def __init__(self, body, closed):
        self.body, self.closed = body, closed

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.closed()


def count_requests(live_server) -> None:
    httpd = live_server.thread.httpd
    if not isinstance(httpd.get_app(), InFlight):
        httpd.set_app(InFlight(httpd.get_app()))


def idle(live_server, *, timeout: float = 30, settle: float = 0.2) -> None:
    """Return once the live server answers nothing, twice `settle` seconds
    apart (a request the socket has taken may not have reached the app)."""
    app = live_server.thread.httpd.get_app()
    deadline = time.monotonic() + timeout
    while True:
        if not app.wait(max(deadline - time.monotonic(), 0)):
            raise AssertionError(
                f"the live server still answers {app.open} request(s) "
                f"{timeout:.0f} s after the test"
            )
        time.sleep(settle)
        with app.changed:
            if app.open == 0:
                return
