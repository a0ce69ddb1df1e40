"""The admin dashboard points farmers to their light phone pages."""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component

from market.access import user_is_seller_staff


class FarmerAreaPanel(Component):
    name = "farmer_area"
    order = 10
    template_name = "farmer/admin_panel.html"


@hooks.register("construct_homepage_panels")
def add_farmer_area_panel(request, panels):
    if user_is_seller_staff(request.user):
        panels.insert(0, FarmerAreaPanel())
