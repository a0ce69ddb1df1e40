from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _repair_slugs(sender, **kwargs):
    from market.services.slugs import page_slugs_repair

    page_slugs_repair()


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = _("Chợ nông sản")

    def ready(self):
        # Pages made before "đ" was read as "d" get their slug, and a redirect
        # from the old one (see market.services.slugs).
        post_migrate.connect(_repair_slugs, sender=self)
        from market.page_cache import connect_page_signals

        connect_page_signals()
