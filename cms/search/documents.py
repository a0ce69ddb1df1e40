"""From model instances to Whoosh documents, and the field specs queries use.

A `SearchField("title", boost=2)` on a model becomes two Whoosh fields,
``title__x`` (exact) and ``title__f`` (folded); `RelatedFields("seller",
[SearchField("legal_name")])` becomes ``seller__legal_name__x`` / ``__f``;
`AutocompleteField("title")` becomes ``title__a``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField, Manager
from django.utils.encoding import force_str
from modelsearch.index import (
    AutocompleteField,
    FilterField,
    RelatedFields,
    SearchField,
    get_indexed_models,
)

from .analysis import fold, pair, words
from .store import (
    ALL_EXACT,
    ALL_PAIRS,
    ALL_TEXT,
    AUTOCOMPLETE,
    BOOLEAN,
    CODES,
    EXACT,
    FOLDED,
    HEADS,
)
from .synonyms import text_codes

# Key of `_collect`'s list of folded fields boosted below 1 (never a field).
LOW = "\0low"


@dataclass(frozen=True)
class FieldSpec:
    """One indexed text field path and its boost."""

    path: str
    boost: float
    top: str  # the field name on the model the path starts from


def model_label(model) -> str:
    return model._meta.label_lower


def content_labels(model) -> list[str]:
    """The labels a document of `model` answers to: its own and its parents'."""
    return [model_label(model)] + [
        model_label(parent) for parent in model._meta.get_parent_list()
    ]


def _walk(fields, kind, prefix="", top=None):
    for field in fields:
        if isinstance(field, RelatedFields):
            yield from _walk(
                field.fields,
                kind,
                f"{prefix}{field.field_name}__",
                top or field.field_name,
            )
        elif isinstance(field, kind):
            boost = float(getattr(field, "boost", None) or 1.0)
            yield FieldSpec(
                f"{prefix}{field.field_name}", boost, top or field.field_name
            )


def _dedupe(specs):
    best: dict[str, FieldSpec] = {}
    for spec in specs:
        if spec.path not in best or spec.boost > best[spec.path].boost:
            best[spec.path] = spec
    return list(best.values())


@lru_cache(maxsize=512)
def field_specs(model, kind) -> tuple[FieldSpec, ...]:
    """Fields of `kind` (SearchField or AutocompleteField) that a search on
    `model` looks in: the model's own and those of its indexed subclasses
    (a search on Book must find text that only a Novel has)."""
    models = [model] + [
        other
        for other in get_indexed_models()
        if other is not model and issubclass(other, model)
    ]
    specs = []
    for each in models:
        specs.extend(_walk(each.get_search_fields(), kind))
    return tuple(sorted(_dedupe(specs), key=lambda spec: spec.path))


def _prepare(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "\n".join(_prepare(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(_prepare(item) for item in value.values())
    return force_str(value)


def _add_head(text: str, texts) -> None:
    """The title's first word (folded, and with its marks) and first two
    words: a query starting the same way names the product."""
    head = words(text)[:2]
    if not head:
        return
    folded = [fold(word) for word in head]
    texts[HEADS].extend({folded[0], head[0]})
    if len(head) == 2:
        texts[HEADS].append(pair(*folded))


def _collect(obj, fields, prefix, texts):
    for field in fields:
        if isinstance(field, RelatedFields):
            related = field.get_value(obj)
            if related is None:
                continue
            if isinstance(related, Manager):
                related_objs = related.all()
            else:
                related_objs = [related() if callable(related) else related]
            for related_obj in related_objs:
                _collect(
                    related_obj, field.fields, f"{prefix}{field.field_name}__", texts
                )
        elif isinstance(field, SearchField | AutocompleteField):
            text = _prepare(field.get_value(obj))
            if not text:
                continue
            path = f"{prefix}{field.field_name}"
            if isinstance(field, SearchField):
                _add_search_text(field, path, text, texts)
            else:
                texts[path + AUTOCOMPLETE].append(text)


def _add_search_text(field, path: str, text: str, texts) -> None:
    boost = getattr(field, "boost", None) or 1
    texts[path + EXACT].append(text)
    texts[path + FOLDED].append(text)
    texts[CODES].extend(text_codes(text))
    if boost > 1:
        _add_head(text, texts)
    elif boost < 1:
        # Looked up on its own with its lower weight, not through the
        # catch-all fields.
        texts[LOW].append(path + FOLDED)


def _booleans(obj) -> dict[str, str]:
    """The object's own boolean FilterFields (`live` on pages) as "t"/"f";
    the backend's INDEX_FILTERS says which of them searches may trust."""
    values = {}
    for field in obj.get_search_fields():
        if not isinstance(field, FilterField):
            continue
        try:
            model_field = field.get_field(type(obj))
        except FieldDoesNotExist:
            continue
        if isinstance(model_field, BooleanField):
            value = field.get_value(obj)
            if isinstance(value, bool):
                values[field.get_attname(type(obj)) + BOOLEAN] = "t" if value else "f"
    return values


def document_for(obj) -> dict[str, str]:
    """The Whoosh document for one instance (JSON-serialisable)."""
    texts: dict[str, list[str]] = defaultdict(list)
    _collect(obj, obj.get_search_fields(), "", texts)
    doc = {"pk": force_str(obj.pk), "ct": " ".join(content_labels(type(obj)))}
    doc.update(_booleans(obj))
    low = set(texts.pop(LOW, ()))
    # Title heads and codes are keywords (of a few words), comma-separated.
    doc.update(
        {
            name: ("," if name in (HEADS, CODES) else "\n").join(parts)
            for name, parts in texts.items()
            if parts
        }
    )
    everything = [
        doc[name] for name in texts if name.endswith(FOLDED) and name not in low
    ]
    if everything:
        doc[ALL_TEXT] = doc[ALL_EXACT] = doc[ALL_PAIRS] = "\n".join(everything)
    return doc
