from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "cms.places"
    label = "places"
    verbose_name = _("Địa danh của xã")
    default_auto_field = "django.db.models.BigAutoField"
