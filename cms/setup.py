"""What every install has after `migrate` alone, with no demo data.

The home page (ours, in Vietnamese) at the root of the default site, the
news index and the market page under it, the market's moderation workflow,
the operator group with its permissions, default shipping tariffs and the
decree's tax rates. No
user account: the first operator is made with `manage.py create_operator`.

`site_setup_after_migrate` runs it on Django's `post_migrate` signal (see
cms/apps.py); every step is get-or-create, so a second `migrate` keeps what
the operator has changed since.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from cms.models import HomePage, NewsIndexPage
from market.checkout.services.shipping import tariffs_default_ensure
from market.fulfilment.services.taxes import tax_rates_default_ensure
from market.services.sellers import market_workflow_ensure, operator_group_ensure
from market.services.setup import market_index_ensure

HOME_TITLE = "Nguồn Quê – chợ nông sản OCOP và VietGAP"
HOME_LEAD = "Mua đặc sản quê từ tận tay người làm ra, quét mã QR biết rõ nguồn gốc."
HOME_BODY = (
    "<h2>Chợ của bà con, hàng có nguồn gốc</h2>"
    "<p>Nguồn Quê là chợ trực tuyến của các hộ, hợp tác xã và doanh nghiệp nhỏ "
    "bán sản phẩm OCOP và VietGAP. Mỗi lô hàng có mã QR: quét là biết hàng từ "
    "vườn nào, ai làm, thu hoạch ngày nào và có phải hàng thật hay không.</p>"
    "<ul><li>Thanh toán không dùng tiền mặt: chuyển khoản bằng mã VietQR hoặc thẻ.</li>"
    "<li>Bưu điện đến tận xã nhận hàng và giao cho người mua.</li>"
    "<li>Người bán tự đăng sản phẩm, ghi nhật ký đồng ruộng và in tem QR.</li></ul>"
)


def _wagtail_welcome_pages():
    """Wagtail's install page ("Welcome to your new Wagtail site!"): a plain
    Page at depth 2 with nothing under it."""
    plain = ContentType.objects.get_for_model(Page)
    return Page.objects.filter(depth=2, content_type=plain, numchild=0)


def home_page_ensure() -> HomePage:
    """Our home page, and the default site rooted at it."""
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title=HOME_TITLE, slug="trang-chu", lead=HOME_LEAD, body=HOME_BODY
        )
        Page.get_first_root_node().add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        url = urlsplit(settings.SITE_URL)
        Site.objects.create(
            hostname=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 80),
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    elif site.root_page_id in set(
        _wagtail_welcome_pages().values_list("pk", flat=True)
    ):
        site.root_page = home
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save()
    _wagtail_welcome_pages().exclude(sites_rooted_here__isnull=False).delete()
    return home


def news_index_ensure(*, home: HomePage) -> NewsIndexPage:
    news_index = NewsIndexPage.objects.first()
    if news_index is None:
        news_index = NewsIndexPage(title="Tin tức của xã", slug="tin-tuc")
        home.add_child(instance=news_index)
        news_index.save_revision().publish()
    return news_index


@transaction.atomic
def site_setup_ensure() -> HomePage:
    """Everything an empty, working market needs; never a user account.
    After it returns, `import_catalogue` has a market page to put stores
    under and every shipping zone has a fee."""
    home = home_page_ensure()
    news_index_ensure(home=home)
    market_index_ensure()
    market_workflow_ensure()
    operator_group_ensure()
    tariffs_default_ensure()
    tax_rates_default_ensure()
    return home


def wagtail_roots_ensure() -> None:
    """Wagtail's default locale, root page and root collection."""
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    locale, _ = Locale.objects.get_or_create(language_code=language)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def _fully_migrated(using: str) -> bool:
    executor = MigrationExecutor(connections[using])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def site_setup_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (sent once per app; connected for cms only)."""
    if using != DEFAULT_DB_ALIAS or not _fully_migrated(using):
        return  # a partial `migrate app 0001`: the real models may not fit
    # Django makes each app's content types and permissions in that app's
    # own post_migrate; cms comes first, so make them all now (after a flush
    # they have new ids: forget the cached ones first).
    ContentType.objects.clear_cache()
    for app_config in global_apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    # `flush` empties every table, Wagtail's root page, locale and root
    # collection included, which only its migrations make: make them again,
    # so a flushed database is an empty, working market like a new one.
    wagtail_roots_ensure()
    site_setup_ensure()
