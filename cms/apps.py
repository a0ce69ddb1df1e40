from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Trang web")

    def ready(self):
        # An empty, working market after `migrate` alone (cms/setup.py).
        from cms.setup import site_setup_after_migrate

        post_migrate.connect(
            site_setup_after_migrate, sender=self, dispatch_uid="cms.site_setup"
        )

        # Search index receivers for rows indexed with a page (stock, variants).
        # `check --deploy` reports missing or development secrets.
        from cms import checks  # noqa: F401
        from cms.search import handlers  # noqa: F401
