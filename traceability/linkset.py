"""RFC 9264 linksets and link-type negotiation for the GS1-Conformant resolver.

Pure format code: no Django imports. `traceability.resolver` gathers the
links of one Digital Link URI (and of each level above it: serial → lot →
GTIN) and this module shapes them, picks one for a requested link type and
builds the redirect target.

Link types are GS1 Web Vocabulary terms. Requests may name them as a CURIE
(`gs1:pip`) or in full (`https://gs1.org/voc/pip`, or the `ref.gs1.org`
form); the linkset writes them in full, as RFC 9264 wants relation types
that are not IANA-registered to be URIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

GS1_VOC = "https://gs1.org/voc/"
_VOC_FORMS = (GS1_VOC, "https://ref.gs1.org/voc/", "http://gs1.org/voc/", "gs1:")
LINKSET_MEDIA_TYPE = "application/linkset+json"
# Values of `linkType` that ask for the linkset itself ("all" is the name
# resolver 1.0 deprecated; some clients still send it).
LINKSET_REQUESTS = frozenset({"linkset", "all"})
DEFAULT_LINK = "defaultLink"


@dataclass(frozen=True)
class Link:
    """One link of a linkset. `rel` is the GS1 term without namespace."""

    rel: str
    href: str
    title: str
    media_type: str = ""
    languages: tuple[str, ...] = ()

    def as_target(self) -> dict:
        target: dict = {"href": self.href, "title": self.title}
        if self.media_type:
            target["type"] = self.media_type
        if self.languages:
            target["hreflang"] = list(self.languages)
        return target


@dataclass
class Level:
    """The links of one identification level (the anchor URI)."""

    anchor: str
    description: str
    links: list[Link] = field(default_factory=list)


def link_type_term(value: str) -> str | None:
    """`gs1:pip`, `https://gs1.org/voc/pip` … → `pip`; None if not GS1's."""
    for prefix in _VOC_FORMS:
        if value.startswith(prefix) and len(value) > len(prefix):
            return value[len(prefix) :]
    return None


def linkset_document(levels: list[Level]) -> dict:
    """The RFC 9264 JSON document, most specific level first."""
    document = []
    for level in levels:
        context: dict = {"anchor": level.anchor, "itemDescription": level.description}
        for link in level.links:
            context.setdefault(GS1_VOC + link.rel, []).append(link.as_target())
        document.append(context)
    return {"linkset": document}


def link_choose(
    levels: list[Level], *, term: str, accept: str = "", language: str = ""
) -> Link | None:
    """The link of type `term` for this request, or None.

    A link whose media type the client accepts comes first; then the most
    specific level (a unit's own link before its lot's, the lot's before
    the GTIN's); then one in the client's language; then the first listed.
    """
    candidates = [
        (
            link.media_type in accept if link.media_type else False,
            -depth,
            language in link.languages,
            -order,
            link,
        )
        for depth, level in enumerate(levels)
        for order, link in enumerate(level.links)
        if link.rel == term
    ]
    return max(candidates, key=lambda c: c[:4])[4] if candidates else None


def redirect_target(href: str, *, query: list[tuple[str, str]]) -> str:
    """`href` with the request's query pairs passed on (GS1 resolver 1.0:
    "SHALL pass on all key=value pairs in the query string"), except
    `linkType`, which chose the target, and keys the target already has."""
    parts = urlsplit(href)
    own = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _value in own}
    passed = [(k, v) for k, v in query if k != "linkType" and k not in present]
    return urlunsplit(parts._replace(query=urlencode(own + passed)))
