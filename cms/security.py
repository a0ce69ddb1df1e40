"""Response headers that limit what a page may load and use (#19, item 9).

- Content-Security-Policy (W3C CSP Level 3) from django-csp:
  * public pages: `CONTENT_SECURITY_POLICY`, strict: scripts and styles from
    our own origin or carrying the request's nonce, no inline handlers, no
    plugins, no framing, forms post only to us;
  * `/admin/`: `CONTENT_SECURITY_POLICY_ADMIN`, what Wagtail's admin needs
    (its inline styles and scripts, previews framed by the admin itself);
  * the order page that takes a card: the public policy plus the card
    gateway's origin (`allow_payment_gateway`).
- Permissions-Policy (W3C Permissions Policy): `PERMISSIONS_POLICY`; the
  camera is allowed to our own pages (the farm diary takes photos), every
  other powerful feature to none.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings

ADMIN_PREFIX = "/admin/"


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the admin's policy under /admin/ and
    adding the Permissions-Policy header."""

    def get_policy_parts(self, request, response, report_only: bool = False):
        parts: PolicyParts = super().get_policy_parts(request, response, report_only)
        admin = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None)
        if (
            not report_only
            and admin
            and parts.config is None
            and request.path_info.startswith(ADMIN_PREFIX)
        ):
            parts.config = default_config(admin["DIRECTIVES"])
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def payment_gateway_origins() -> list[str]:
    """Where the card form's script comes from and talks to."""
    urls = (settings.PAYMENT_GATEWAY_JS_URL, settings.PAYMENT_GATEWAY_URL)
    return sorted({origin for url in urls if (origin := _origin(url))})


def allow_payment_gateway(response):
    """Let this response's page load the card gateway's script, frames and
    API calls (and nothing else beyond the public policy)."""
    origins = payment_gateway_origins()
    # django-csp's per-response parts (what its csp_update / csp_replace
    # decorators set): frame-src is replaced, since 'none' admits nothing.
    response._csp_update = {"script-src": origins, "connect-src": origins}
    response._csp_replace = {"frame-src": origins}
    return response
