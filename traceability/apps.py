from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    name = "traceability"
    verbose_name = _("Truy xuất nguồn gốc")

    def ready(self):
        # Connects thin handlers to market's documented signals (the one seam
        # between the apps; market never imports traceability).
        from . import handlers  # noqa: F401
