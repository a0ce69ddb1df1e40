"""Headless Chromium (Debian's) driven by Playwright for Python.

Outside CI a missing browser skips these tests with one line; under CI=true it
fails, because CI must prove the pages work in a real browser.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

from tests.live import idle

# Playwright's sync API keeps an event loop running in the test thread; the
# ORM calls the tests make around it are still ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _browser_missing_reason() -> str | None:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        return (
            f"Chromium not found at {CHROMIUM} (make test installs it when run as root)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page that records every request leaving the live server."""
    # A cheap phone: 360 CSS px wide (issue 13's journeys).
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 780}
    )
    page = context.new_page()
    page.outside_requests = []
    allowed = urlsplit(live_server.url).hostname

    def record(request):
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host not in {allowed, "127.0.0.1", "localhost"}:
            page.outside_requests.append(request.url)

    page.on("request", record)
    # Whatever the Content-Security-Policy blocked (an inline script or style
    # without the nonce, another origin): every browser test fails on it.
    page.csp_violations = []

    def console(message):
        if "Content Security Policy" in message.text:
            page.csp_violations.append(message.text)

    page.on("console", console)
    yield page
    context.close()
    # A status poll or a late image the closed page asked for: let the live
    # server finish it before the next test touches the database.
    idle(live_server)
    assert page.csp_violations == [], "\n".join(page.csp_violations)


def axe_violations(page, context=None) -> list:
    """Accessibility problems axe-core finds on the current page (or in the
    part of it that the CSS selector `context` names), and, for a whole page,
    a sideways scroll (the page wider than the phone's window)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    violations = results.response["violations"]
    if context is None:
        # A page wider than the phone is as bad as a missing label there.
        wide, window = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if wide > window:
            violations.append(
                {
                    "id": "horizontal-scroll",
                    "help": f"{page.url} is {wide} px wide in a {window} px window",
                }
            )
    return violations
