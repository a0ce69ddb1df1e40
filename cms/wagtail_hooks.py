"""Wagtail admin hooks of the editorial site."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import SearchSynonym


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = SearchSynonym._meta.verbose_name_plural
    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]
    add_to_admin_menu = False


register_snippet(SearchSynonymViewSet)
