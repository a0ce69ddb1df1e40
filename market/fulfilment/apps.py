from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "market.fulfilment"
    label = "fulfilment"
    verbose_name = _("Giao hàng")

    def ready(self):
        # Parcels are assigned when an order is paid; refunds debit ledgers.
        from . import receivers  # noqa: F401
