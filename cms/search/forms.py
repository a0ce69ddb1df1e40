"""The search page's form: the words plus the market's own filters."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from market.browse import ProductFilterForm

from .selectors import MAX_QUERY_LENGTH


class SearchForm(ProductFilterForm):
    """GET form; results are ordered by relevance, so the market's sort is
    left out."""

    q = forms.CharField(
        label=_("Bạn muốn tìm gì?"), required=False, max_length=MAX_QUERY_LENGTH
    )

    field_order = ["q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["sort"]
        self.fields["q"].widget.attrs.update(
            {
                "type": "search",
                "list": "q-suggestions",
                "autocomplete": "off",
                "enterkeyhint": "search",
                "aria-describedby": "q-hint",
                "data-suggest": reverse("search_autocomplete"),
            }
        )

    def filter_fields(self):
        return [self[name] for name in self.fields if name != "q"]

    def has_filters(self) -> bool:
        data = self.data
        return any(data.get(name) for name in self.fields if name != "q")
