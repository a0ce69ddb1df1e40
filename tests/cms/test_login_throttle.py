"""Failed sign-ins are throttled per account and per client address (#19,
item 5), on every login form: the admin's and the post office portal's."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "Lua-chin-vang-2025"
LOGIN_FORMS = ["/admin/login/", "/buu-dien/dang-nhap/"]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def account(username: str):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_superuser=True
    )


def sign_in(client: Client, url: str, username: str, password: str, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client: Client, url: str, username: str, times: int, **extra):
    return [
        sign_in(client, url, username, f"sai-{n}", **extra).status_code
        for n in range(times)
    ]


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_five_failures_lock_the_account_with_the_wait_in_minutes(url, caplog):
    account("0912345678")
    client = Client(REMOTE_ADDR="203.0.113.5")

    with caplog.at_level(logging.WARNING, logger="cms.auth"):
        statuses = fail(client, url, "0912345678", 5)
    locked = sign_in(client, url, "0912345678", PASSWORD)

    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert statuses[4] == 429
    assert locked.status_code == 429  # even the right password now waits
    page = locked.content.decode()
    assert "Hãy đợi 15 phút rồi đăng nhập lại" in page
    assert '<html lang="vi">' in page
    assert "_auth_user_id" not in client.session
    assert "login locked" in caplog.text
    assert AccessAttempt.objects.filter(username="0912345678").exists()


def test_other_accounts_on_other_addresses_are_not_affected():
    account("0912345678")
    account("0987654321")
    fail(Client(REMOTE_ADDR="203.0.113.5"), "/admin/login/", "0912345678", 6)

    other = Client(REMOTE_ADDR="198.51.100.20")
    response = sign_in(other, "/admin/login/", "0987654321", PASSWORD)

    assert response.status_code == 302
    assert other.session["_auth_user_id"]


def test_one_address_trying_many_accounts_is_locked_too():
    """Farmer usernames are phone numbers: an attacker walks the numbers."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    account("0911000999")
    statuses = [
        sign_in(client, "/admin/login/", f"09110000{n:02d}", "123456").status_code
        for n in range(5)
    ]

    assert statuses[-1] == 429
    assert sign_in(client, "/admin/login/", "0911000999", PASSWORD).status_code == 429
    # A rotating X-Forwarded-For does not make it another client (NUM_PROXIES=0).
    forged = sign_in(
        client,
        "/admin/login/",
        "0911000999",
        PASSWORD,
        HTTP_X_FORWARDED_FOR="192.0.2.44",
    )
    assert forged.status_code == 429


def test_after_the_cool_off_the_right_password_signs_in():
    account("0912345678")
    client = Client(REMOTE_ADDR="203.0.113.5")
    fail(client, "/buu-dien/dang-nhap/", "0912345678", 5)
    assert sign_in(client, "/admin/login/", "0912345678", PASSWORD).status_code == 429

    # Sixteen minutes pass.
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=16)
    )
    response = sign_in(client, "/admin/login/", "0912345678", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    # A success clears the failures: one more typo is not a lock.
    client.logout()
    assert fail(client, "/admin/login/", "0912345678", 1) == [200]


def test_the_operator_sees_the_locked_account_in_the_admin_and_a_farmer_does_not(
    client,
):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory, operator_create

    account("0912345678")
    fail(Client(REMOTE_ADDR="203.0.113.5"), "/admin/login/", "0912345678", 5)

    client.force_login(operator_create())
    listing = client.get("/admin/dang-nhap-sai/")
    assert listing.status_code == 200
    assert "0912345678" in listing.text and "203.0.113.5" in listing.text

    farmer = UserFactory(username="nongdan-khac")
    farmer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(farmer)
    refused = client.get("/admin/dang-nhap-sai/")
    assert refused.status_code in (302, 403)
