"""What `migrate` alone leaves: an empty, working market (issue 14)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient
from wagtail.models import Site

from cms.demo import OPERATOR
from cms.models import HomePage, NewsIndexPage
from market.access import OPERATOR_GROUP_NAME
from market.checkout.api import ORDER_EXAMPLE
from market.checkout.models import ShippingTariff, ShippingZone
from market.models import MarketIndexPage, Variant

# ../shared/data from the repository (the README's production section).
CATALOGUE = next(
    (
        folder
        for folder in (
            Path(__file__).resolve().parents[3] / "shared" / "data",
            Path("/work/shared/data"),
        )
        if folder.is_dir()
    ),
    Path("missing"),
)


def test_migrations_leave_our_site_tariffs_and_operator_group_and_no_user(db):
    site = Site.objects.get(is_default_site=True)

    assert isinstance(site.root_page.specific, HomePage)
    assert NewsIndexPage.objects.child_of(site.root_page).live().exists()
    assert MarketIndexPage.objects.child_of(site.root_page).live().exists()
    zones = set(ShippingTariff.objects.values_list("zone", flat=True))
    assert zones == {zone.value for zone in ShippingZone}
    group = Group.objects.get(name=OPERATOR_GROUP_NAME)
    assert group.permissions.filter(codename="review_certification").exists()
    assert not get_user_model().objects.exists()


def test_fresh_home_page_is_ours_in_vietnamese(client, db):
    html = client.get("/").content.decode()

    assert '<html lang="vi">' in html
    assert "Nguồn Quê – chợ nông sản OCOP và VietGAP" in html
    assert "Welcome to your new Wagtail site" not in html


def test_a_created_operator_belongs_to_the_operator_group(db, monkeypatch):
    monkeypatch.setenv("OPERATOR_PASSWORD", "rau-sach-Hoi-An-2026")
    call_command(
        "create_operator", "vanhanh1", "--noinput", stdout=open("/dev/null", "w")
    )

    user = get_user_model().objects.get(username="vanhanh1")
    assert user.is_staff and not user.is_superuser
    assert [g.name for g in user.groups.all()] == [OPERATOR_GROUP_NAME]


@pytest.mark.skipif(
    not (CATALOGUE / "catalogue-sample.csv").exists(), reason="no sample"
)
def test_import_then_api_order_work_without_seed_demo(db):
    call_command(
        "import_catalogue",
        str(CATALOGUE / "catalogue-sample.csv"),
        "--no-progress",
        stdout=open("/dev/null", "w"),
    )
    variant = Variant.objects.filter(stock__on_hand__gte=2, is_active=True).first()
    body = copy.deepcopy(ORDER_EXAMPLE)
    body["lines"] = [{"sku": variant.sku, "quantity": 1}]

    response = APIClient().post("/api/v1/orders/", body, format="json")

    assert response.status_code == 201, response.content


def test_seed_demo_refuses_in_production_and_changes_nothing(db, settings):
    settings.PRODUCTION = True
    pages = HomePage.objects.count(), get_user_model().objects.count()

    with pytest.raises(CommandError, match="PRODUCTION=1"):
        call_command("seed_demo")

    assert (HomePage.objects.count(), get_user_model().objects.count()) == pages


def test_demo_password_never_signs_in_in_production(db, settings):
    get_user_model().objects.create_user(OPERATOR.username, password=OPERATOR.password)
    assert authenticate(username=OPERATOR.username, password=OPERATOR.password)

    settings.PRODUCTION = True

    assert authenticate(username=OPERATOR.username, password=OPERATOR.password) is None
