from django.apps import AppConfig


class WagtailViConfig(AppConfig):
    name = "cms.wagtail_vi"
    label = "wagtail_vi"
    verbose_name = "Tiếng Việt cho Wagtail"
