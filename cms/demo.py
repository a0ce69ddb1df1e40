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
from wagtail.models import Page, Site

from cms.models import HomePage, NewsIndexPage, NewsPage, SiteSettings


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


HOME_BODY = (
    "<h2>Chợ của bà con, hàng có nguồn gốc</h2>"
    "<p>Nguồn Quê là chợ trực tuyến của các hộ, hợp tác xã và doanh nghiệp nhỏ "
    "bán sản phẩm OCOP và VietGAP. Mỗi lô hàng có mã QR: quét là biết hàng từ "
    "vườn nào, ai làm, thu hoạch ngày nào và có phải hàng thật hay không.</p>"
    "<ul><li>Thanh toán không dùng tiền mặt: chuyển khoản bằng mã VietQR hoặc thẻ.</li>"
    "<li>Bưu điện đến tận xã nhận hàng và giao cho người mua.</li>"
    "<li>Người bán tự đăng sản phẩm, ghi nhật ký đồng ruộng và in tem QR.</li></ul>"
)


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
    """Home page at the root of the default site, news, settings, accounts."""
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Nguồn Quê – chợ nông sản OCOP và VietGAP",
            slug="trang-chu",
            lead=(
                "Mua đặc sản quê từ tận tay người làm ra, quét mã QR biết rõ nguồn gốc."
            ),
            body=HOME_BODY,
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="127.0.0.1",
            port=8000,
            root_page=home,
            is_default_site=True,
            site_name="Nguồn Quê",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Nguồn Quê"
        site.save()
    # Wagtail's install page "Welcome to your new Wagtail site!" is not ours.
    Page.objects.filter(depth=2, slug="home").exclude(pk=home.pk).delete()

    SiteSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"hotline": "0235 3861 234", "contact_email": "hotro@nguonque.vn"},
    )
    news_index = NewsIndexPage.objects.first()
    if news_index is None:
        news_index = NewsIndexPage(title="Tin tức của xã", slug="tin-tuc")
        home.add_child(instance=news_index)
        news_index.save_revision().publish()
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
