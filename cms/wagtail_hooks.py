"""Site-wide Wagtail admin hooks: the admin's image/document API reads the
signed-in user; the search synonym table as a snippet; date-times on every
inspect page in the market's time zone; failed sign-ins for the operator."""

from axes.models import AccessAttempt
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from wagtail import hooks
from wagtail.admin.ui.fields import BaseFieldDisplay, register_display_class
from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import SearchSynonym
from market.staff.access import OperatorOnlyPolicy, ScopedViewSetMixin


class ImagesAdminAPI(ImagesAdminAPIViewSet):
    # Our REST_FRAMEWORK settings have no default authentication (the public
    # API is anonymous), so without this the admin's image API saw no user:
    # it failed for farmers and hid their login-restricted collection.
    authentication_classes = [SessionAuthentication]


class DocumentsAdminAPI(DocumentsAdminAPIViewSet):
    authentication_classes = [SessionAuthentication]


@hooks.register("construct_admin_api", order=100)  # after Wagtail's own
def admin_api_reads_the_signed_in_user(router):
    router.register_endpoint("images", ImagesAdminAPI)
    router.register_endpoint("documents", DocumentsAdminAPI)


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = SearchSynonym._meta.verbose_name_plural
    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]
    add_to_admin_menu = False


register_snippet(SearchSynonymViewSet)


class LocalDateTimeDisplay(BaseFieldDisplay):
    """A date-time on an inspect page, in Asia/Ho_Chi_Minh (TIME_ZONE).

    Wagtail's inspect template prints `{{ value|localize }}`, which formats
    the aware UTC value as it is: "08:46" showed as "01:46". An empty one
    shows as "—", not "None"."""

    def render_html(self, parent_context=None):
        if self.value is None:
            return "—"
        return formats.date_format(timezone.localtime(self.value), "H:i d/m/Y")


register_display_class(models.DateTimeField, display_class=LocalDateTimeDisplay)


# Failed sign-ins (django-axes, #19 item 5): the operator sees who is being
# guessed at and from where, and deletes a row to unlock early.
register_permission_policy(
    AccessAttempt, OperatorOnlyPolicy(AccessAttempt, {"view", "delete"})
)


class LoginAttemptViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "login_attempts"
    url_prefix = "dang-nhap-sai"
    model = AccessAttempt
    icon = "lock"
    menu_label = _("Đăng nhập sai")
    menu_order = 900
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["username"]
    list_display = [
        "username",
        "ip_address",
        "path_info",
        "failures_since_start",
        DateColumn("attempt_time", label=_("Lần cuối")),
    ]
    search_fields = ["username", "ip_address"]


@hooks.register("register_admin_viewset")
def register_login_attempts():
    return LoginAttemptViewSet()
