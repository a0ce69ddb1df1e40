from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckoutConfig(AppConfig):
    name = "market.checkout"
    label = "checkout"
    verbose_name = _("Đơn hàng")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from market.checkout.handlers import merge_cart_on_login

        user_logged_in.connect(merge_cart_on_login, dispatch_uid="checkout_cart_merge")
