from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Trang web")

    def ready(self):
        # Search index receivers for rows indexed with a page (stock, variants).
        from cms.search import handlers  # noqa: F401

        # `check --deploy` reports missing or development secrets.
        from cms import checks  # noqa: F401
