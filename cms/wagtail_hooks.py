"""Site-wide Wagtail admin hooks: the admin's image/document API reads the
signed-in user; the search synonym table as a snippet; date-times on every
inspect page in the market's time zone."""

from django.db import models
from django.utils import formats, timezone
from rest_framework.authentication import SessionAuthentication
from wagtail import hooks
from wagtail.admin.ui.fields import BaseFieldDisplay, register_display_class
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import SearchSynonym


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
