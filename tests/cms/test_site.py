import subprocess
import sys

import pytest
from django.core.management import call_command

from cms.models import HomePage, NewsPage
from tests.production_env import production_env


def test_home_page_speaks_vietnamese(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Nguồn Quê – chợ nông sản OCOP và VietGAP" in html
    assert "Vào chợ xem hàng" in html
    assert "Phiên chợ OCOP cuối tuần" in html


def test_language_switch_serves_english_labels(client, home_page):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    # Our own strings come from locale/en: the navigation reads in English.
    assert ">Market</a>" in html
    assert ">News</a>" in html


def test_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (HomePage.objects.count(), NewsPage.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (HomePage.objects.count(), NewsPage.objects.count()) == counts == (1, 1)


def test_unknown_page_says_what_to_do(client, home_page):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Về trang chủ" in response.content.decode()


def test_operator_login_opens_admin(client, home_page):
    from cms.demo import OPERATOR

    assert client.login(username=OPERATOR.username, password=OPERATOR.password)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("profile", ["production"])
def test_check_deploy_is_clean_in_production_profile(profile, tmp_path):
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_the_development_secret(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PRODUCTION": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
