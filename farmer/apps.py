from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FarmerConfig(AppConfig):
    name = "farmer"
    verbose_name = _("Khu nông dân")
