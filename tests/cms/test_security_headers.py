"""Content-Security-Policy and Permissions-Policy headers (#19, item 9)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import LotFactory
from tests.production_env import production_settings
from tests.traceability.scan_helpers import signed_path

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def nonce_of(response) -> str:
    (nonce,) = re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"])[:1]
    return nonce


def test_a_public_page_gets_the_strict_policy(client, home_page):
    response = client.get("/")

    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    # Our own files, plus a nonce only when the page has an inline block.
    assert policy["script-src"][0] == "'self'"
    assert all(v.startswith("'nonce-") for v in policy["script-src"][1:])
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_each_request_gets_its_own_nonce(client):
    path = signed_path(LotFactory(serials_issued=3), "1")
    assert nonce_of(client.get(path)) != nonce_of(client.get(path))


def test_the_scan_pages_inline_style_carries_the_headers_nonce():
    lot = LotFactory(serials_issued=3)
    response = Client().get(signed_path(lot, "1"))

    assert response.status_code == 200
    page = response.content.decode()
    nonce = nonce_of(response)
    styles = re.findall(r"<style([^>]*)>", page)
    assert styles, "the scan page keeps its CSS inline (one request)"
    assert all(f'nonce="{nonce}"' in attrs for attrs in styles)
    # No inline script or handler that the policy would block.
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all("src=" in attrs or f'nonce="{nonce}"' in attrs for attrs in scripts)
    assert not re.search(r"\son[a-z]+=", page)
    assert "Permissions-Policy" in response


def test_the_admin_gets_what_wagtail_needs(client):
    response = client.get("/admin/login/")

    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["frame-ancestors"] == ["'self'"]  # page previews
    assert policy["object-src"] == ["'none'"]
    assert not any(v.startswith("'nonce-") for v in policy["script-src"])


def test_the_production_profile_sends_both_headers():
    production = production_settings()

    assert "cms.security.SecurityHeadersMiddleware" in production["MIDDLEWARE"]
    public = production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "'unsafe-inline'" not in public["script-src"]
    assert "'unsafe-inline'" not in public["style-src"]
    assert production["PERMISSIONS_POLICY"].startswith("camera=(self)")
