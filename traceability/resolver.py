"""GS1-Conformant resolver (GS1 resolver standard 1.0, "ConformantResolver1_0")
on the site's own Digital Link URIs.

The printed QR codes point here: `/01/{GTIN}/10/{lot}[/21/{serial}]`. With
no link type asked for, a lot or unit URI answers with its default link's
content in place — the public scan page — so a shopper on a 60 kbit/s link
pays no extra redirect; a bare GTIN URI redirects to its default link, the
product page. Everything else a resolver owes its clients is here:

- GET, HEAD and OPTIONS, with CORS on every answer;
- 400 for a URI that is not a valid Digital Link (never 200);
- the linkset (RFC 9264) for `linkType=linkset` (or the deprecated `all`)
  and for `Accept: application/linkset+json`, holding the links of every
  level from the request up to the GTIN;
- a redirect (307) to a requested link type, 404 when there is none;
- the request's query string passed on when redirecting;
- `Link: …; rel="linkset"` on every answer, redirects included;
- titles in the client's language (Accept-Language, through LocaleMiddleware);
- `/.well-known/gs1resolver`, the resolver description file.

The resolver never signs anything: a unit's link is the URI as it was
presented, so asking for a linkset cannot turn an unsigned serial into a
"genuine" code.
"""

from __future__ import annotations

import functools
import json
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from market.models import ProductPage, Variant
from market.selectors import product_badges
from traceability import digital_link
from traceability.linkset import (
    DEFAULT_LINK,
    LINKSET_MEDIA_TYPE,
    LINKSET_REQUESTS,
    Level,
    Link,
    link_choose,
    link_type_term,
    linkset_document,
    redirect_target,
)
from traceability.models import Lot

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": ALLOWED_METHODS,
    "Access-Control-Allow-Headers": "Accept, Accept-Language",
    "Access-Control-Expose-Headers": "Link, Location, Content-Language",
}
SUPPORTED_LINK_TYPES = ("pip", "certificationInfo", "traceability", "epcis")
EPCIS_MEDIA_TYPE = "application/ld+json"
HTML = "text/html"


def _site(path: str) -> str:
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))


def _cors(response: HttpResponse) -> HttpResponse:
    for header, value in CORS_HEADERS.items():
        response[header] = value
    response["Vary"] = "Accept, Accept-Language"
    return response


def _error(status: int, message: str) -> HttpResponse:
    return _cors(JsonResponse({"error": message}, status=status))


def _gtin14(gtin: str) -> str | None:
    try:
        return digital_link.gtin_pad(gtin)
    except digital_link.DigitalLinkError:
        return None


def _gtin_forms(gtin14: str) -> list[str]:
    """GTIN-14 and the shorter forms it pads (stored GTINs may be 8–14)."""
    return [gtin14] + [
        gtin14[14 - n :] for n in (13, 12, 8) if set(gtin14[: 14 - n]) == {"0"}
    ]


def _product_level(product: ProductPage, *, gtin14: str) -> Level:
    level = Level(anchor=_site(f"/01/{gtin14}"), description=product.title)
    if not product.live:
        return level
    page_url = urljoin(_site("/"), product.get_url() or "")
    pip = Link("pip", page_url, _("Trang sản phẩm"), HTML, ("vi",))
    level.links.append(pip)
    if any(not badge.expired for badge in product_badges(product=product)):
        level.links.append(
            Link(
                "certificationInfo",
                f"{page_url}#chung-nhan",
                _("Chứng nhận OCOP, VietGAP"),
                HTML,
                ("vi",),
            )
        )
    level.links.append(Link(DEFAULT_LINK, pip.href, pip.title))
    return level


def _scan_page_links(presented: str) -> list[Link]:
    """The scan page of the URI as presented (its signature included, never
    one we make), typed and as the level's default link."""
    title = _("Nguồn gốc và kiểm tra mã")
    return [
        Link("traceability", presented, title, HTML, ("vi",)),
        Link(DEFAULT_LINK, presented, title),
    ]


def _epcis_links(lot: Lot) -> list[Link]:
    epcis = _site(reverse("lot-epcis", args=[lot.pk]))
    title = _("Lịch sử lô hàng (EPCIS 2.0)")
    return [
        Link("traceability", epcis, title, EPCIS_MEDIA_TYPE),
        Link("epcis", epcis, title, EPCIS_MEDIA_TYPE),
    ]


def _lot_levels(request: HttpRequest, *, lot: Lot, gtin14: str, serial) -> list:
    title = lot.variant.product.title
    presented = _site(redirect_target(request.path, query=list(request.GET.items())))
    lot_level = Level(
        anchor=_site(f"/01/{gtin14}/10/{lot.code}"),
        description=f"{title} — {lot.code}",
        links=_epcis_links(lot),
    )
    if serial is None:
        lot_level.links[:0] = _scan_page_links(presented)
        return [lot_level]
    unit = Level(
        anchor=f"{lot_level.anchor}/21/{serial}",
        description=f"{title} — {lot.code}/{serial}",
        links=_scan_page_links(presented),
    )
    return [unit, lot_level]


def _levels(request: HttpRequest, *, gtin14: str, lot_code, serial) -> list[Level]:
    """Most specific first. Empty when no product or lot has this URI."""
    forms = _gtin_forms(gtin14)
    if lot_code is None:
        variant = (
            Variant.objects.select_related("product").filter(gtin__in=forms).first()
        )
        return [_product_level(variant.product, gtin14=gtin14)] if variant else []
    lots = list(
        Lot.objects.select_related("variant__product").filter(
            code=lot_code, variant__gtin__in=forms
        )[:2]
    )
    if len(lots) != 1:  # none, or (before GTINs were unique) not one for sure
        return []
    lot = lots[0]
    return [
        *_lot_levels(request, lot=lot, gtin14=gtin14, serial=serial),
        _product_level(lot.variant.product, gtin14=gtin14),
    ]


def _linkset_header(request: HttpRequest) -> str:
    target = _site(request.path) + "?linkType=linkset"
    return f'<{target}>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"'


def _wants_linkset(request: HttpRequest) -> bool:
    link_type = request.GET.get("linkType")
    if link_type is not None:
        return link_type in LINKSET_REQUESTS
    return LINKSET_MEDIA_TYPE in request.headers.get("Accept", "")


def _wants_html(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return not accept or "text/html" in accept or "*/*" in accept


def _options() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = ALLOWED_METHODS
    return response


def gs1_resolver(view):
    """`view` (the scan page) behind the resolver. It runs for the default
    link's content of a lot or unit URI, and to explain an invalid code to
    a person (with status 400)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, gtin: str = "", lot=None, serial=None, **_kw):
        if request.method == "OPTIONS":
            response = _options()
        elif request.method not in ("GET", "HEAD"):
            response = _error(405, "GET, HEAD, OPTIONS")
            response["Allow"] = ALLOWED_METHODS
        elif (gtin14 := _gtin14(gtin)) is None or not _qualifiers_ok(lot, serial):
            response = _invalid(request, view)
        else:
            response = _resolve(request, view, gtin14=gtin14, lot=lot, serial=serial)
        response["Link"] = _linkset_header(request)
        return _cors(response)

    return wrapped


def _qualifiers_ok(lot, serial) -> bool:
    try:
        if lot is not None:
            digital_link.check_attribute(lot, name="lot")
        if serial is not None:
            digital_link.check_attribute(serial, name="serial")
    except digital_link.DigitalLinkError:
        return False
    return True


def _resolve(request, view, *, gtin14: str, lot, serial) -> HttpResponse:
    link_type = request.GET.get("linkType")
    if lot is not None and link_type is None and not _wants_linkset(request):
        # The default link of a lot or unit is its scan page: serve it here.
        return view(request, gtin=gtin14, lot=lot, serial=serial)
    levels = _levels(request, gtin14=gtin14, lot_code=lot, serial=serial)
    if not levels:
        return _error(404, _("Không tìm thấy sản phẩm hay lô hàng có mã này."))
    if _wants_linkset(request):
        body = json.dumps(linkset_document(levels), ensure_ascii=False)
        return HttpResponse(body, content_type=LINKSET_MEDIA_TYPE)
    term = DEFAULT_LINK if link_type is None else link_type_term(link_type)
    chosen = term and link_choose(
        levels,
        term=term,
        accept=request.headers.get("Accept", ""),
        language=get_language() or "",
    )
    if not chosen:
        return _error(404, _("Mã này không có liên kết loại đó."))
    response = HttpResponse(status=307)
    response["Location"] = redirect_target(chosen.href, query=list(request.GET.items()))
    return response


def _invalid(request: HttpRequest, view) -> HttpResponse:
    """400: a person is shown the scan page's explanation, a program JSON."""
    if view is not None and _wants_html(request) and not _wants_linkset(request):
        response = view(request)
        response.status_code = 400
        return response
    return _error(
        400,
        _(
            "Đường dẫn này không phải là mã GS1 Digital Link hợp lệ. "
            "Hãy quét lại mã trên bao bì."
        ),
    )


def not_a_digital_link(view):
    """Anything else under `/01/` is not a valid Digital Link: 400."""

    def respond(request: HttpRequest, **_kwargs) -> HttpResponse:
        response = (
            _options() if request.method == "OPTIONS" else _invalid(request, view)
        )
        return _cors(response)

    return respond


def resolver_description(request: HttpRequest) -> HttpResponse:
    """`/.well-known/gs1resolver` (GS1 resolver 1.0, resolver description file)."""
    description = {
        "name": "Nguồn Quê",
        "resolverRoot": settings.SITE_URL.rstrip("/"),
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [
            {"namespace": "https://gs1.org/voc/", "prefix": "gs1:"},
        ],
        "linkTypes": [f"gs1:{term}" for term in SUPPORTED_LINK_TYPES],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": "https://ref.gs1.org/voc/data/linkset.jsonld",
        "contact": {"fn": "Nguồn Quê", "email": settings.OPERATOR_EMAIL},
    }
    return _cors(JsonResponse(description, json_dumps_params={"ensure_ascii": False}))
