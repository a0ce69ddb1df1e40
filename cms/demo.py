"""Demo data for `manage.py seed_demo`: the site itself and its accounts.

Every step is idempotent (get-or-create by a natural key), so running the
command twice changes nothing. Later features add a step to `STEPS` in
cms/management/commands/seed_demo.py instead of another set-up command.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.models import Site

from cms.models import HomePage, NewsIndexPage, NewsPage, SiteSettings
from cms.setup import site_setup_ensure


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


OPERATOR = DemoLogin("vanhanh", "vanhanh-demo-2026", "Người vận hành chợ (quản trị)")
FARMER = DemoLogin(
    "nongdan", "nongdan-demo-2026", "Nông dân – cửa hàng nước mắm Cẩm Thanh"
)
POSTOFFICE = DemoLogin("buudien", "buudien-demo-2026", "Nhân viên bưu điện đối tác")
LOGINS = [OPERATOR, FARMER, POSTOFFICE]


def login_lines() -> list[str]:
    """The demo logins, one line each, as the console shows them."""
    return [
        "Tài khoản thử:",
        *(f"  {login.role}: {login.username} / {login.password}" for login in LOGINS),
    ]



def user_ensure(login: DemoLogin, *, superuser: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={"is_staff": superuser, "is_superuser": superuser},
    )
    if created:
        user.set_password(login.password)
        user.save()
    return user


@transaction.atomic
def seed_site() -> HomePage:
    """The site `migrate` makes (cms/setup.py), plus demo contact details,
    a piece of news and the demo accounts."""
    home = site_setup_ensure()
    news_index = NewsIndexPage.objects.get()
    SiteSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"hotline": "0235 3861 234", "contact_email": "hotro@nguonque.vn"},
    )
    if not NewsPage.objects.exists():
        news = NewsPage(
            title="Phiên chợ OCOP cuối tuần tại nhà văn hóa xã",
            slug="phien-cho-ocop-cuoi-tuan",
            date=dt.date(2026, 11, 15),
            summary=(
                "Bà con mang sản phẩm OCOP đến trưng bày, "
                "bưu điện nhận gửi hàng tại chỗ."
            ),
            body=(
                "<p>Sáng thứ Bảy, các hợp tác xã trong xã trưng bày nước mắm, "
                "rau VietGAP và bánh kẹo truyền thống. Nhân viên bưu điện hướng "
                "dẫn bà con đăng bán trên Nguồn Quê và in tem QR truy xuất "
                "nguồn gốc.</p>"
            ),
        )
        news_index.add_child(instance=news)
        news.save_revision().publish()

    user_ensure(OPERATOR, superuser=True)
    # The market and fulfilment steps attach these accounts to a store and a
    # post office; here they only exist.
    user_ensure(FARMER)
    user_ensure(POSTOFFICE)
    return home
