from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "market.notifications"
    label = "notifications"
    verbose_name = _("Tin báo")

    def ready(self):
        # A paid order tells each seller what to pack; an approved product
        # tells its farmer it is on the market.
        from . import receivers  # noqa: F401
