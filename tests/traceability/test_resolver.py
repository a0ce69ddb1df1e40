"""The GS1-Conformant resolver on our Digital Link URIs, one test per line of
GS1's conformance list (GS1DL resolver test suite, "ConformantResolver1_0").
"""

import json
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

from market.models import Certification, CertificationKind, ReviewStatus
from tests.factories import LotFactory
from traceability.services.links import lot_link

pytestmark = pytest.mark.django_db

GS1 = "https://gs1.org/voc/"
LINKSET = "application/linkset+json"

# RFC 9264 section 4.2, the shape GS1's linkset schema narrows: a list of
# contexts, each an anchor plus relation types whose targets have an href.
LINKSET_SCHEMA = {
    "type": "object",
    "required": ["linkset"],
    "properties": {
        "linkset": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["anchor"],
                "properties": {"anchor": {"type": "string", "format": "uri"}},
                "additionalProperties": {
                    "anyOf": [
                        {"type": "string"},
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["href", "title"],
                                "properties": {
                                    "href": {"type": "string", "format": "uri"},
                                    "title": {"type": "string", "minLength": 1},
                                    "type": {"type": "string"},
                                    "hreflang": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                    },
                                },
                            },
                        },
                    ]
                },
            },
        }
    },
}


def _path(uri: str) -> str:
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def lot(home_page):
    lot = LotFactory(serials_issued=10)
    lot.variant.product.move(home_page, pos="last-child")
    lot.variant.product.refresh_from_db()
    return lot


@pytest.fixture
def unit_path(lot):
    return _path(lot_link(lot=lot, serial="3"))


def _gtin_path(lot) -> str:
    return f"/01/{lot.variant.gtin.zfill(14)}"


def _linkset(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == LINKSET
    return response.json()


# SHALL support HTTP 1.1 (or higher) GET, HEAD and OPTIONS requests.
def test_get_head_and_options_are_answered(client, unit_path):
    get = client.get(unit_path)
    head = client.head(unit_path)
    options = client.options(unit_path)

    assert get.status_code == head.status_code == 200
    assert head.content == b"" or head.content == get.content  # server strips it
    assert options.status_code == 204
    assert set(options["Allow"].replace(" ", "").split(",")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }


# SHALL support CORS.
def test_every_answer_carries_cors_headers(client, lot, unit_path):
    answers = [
        client.get(unit_path),
        client.options(unit_path),
        client.get(_gtin_path(lot)),
        client.get(unit_path + "&linkType=linkset"),
        client.get(unit_path + "/foo"),
    ]

    for response in answers:
        assert response["Access-Control-Allow-Origin"] == "*"
        methods = response["Access-Control-Allow-Methods"]
        assert all(m in methods for m in ("GET", "HEAD", "OPTIONS"))


# SHALL extract and syntactically validate the URI and report errors with an
# HTTP response code of 400; SHALL NOT use 200 OK for an error condition.
@pytest.mark.parametrize(
    "suffix",
    ["/foo", "", "?linkType=linkset"],
    ids=["extra-segment", "bad-check-digit", "bad-check-digit-linkset"],
)
def test_an_invalid_digital_link_is_400_never_200(client, unit_path, suffix):
    if suffix == "/foo":
        path = urlsplit(unit_path).path + "/foo"
    else:
        path = "/01/08930000000010/10/L1" + suffix  # 0 is not its check digit

    response = client.get(path)

    assert response.status_code == 400


def test_a_person_is_told_what_to_do_with_an_invalid_code(client):
    response = client.get("/01/08930000000010/10/L1", HTTP_ACCEPT="text/html")

    assert response.status_code == 400
    assert "báo cho chúng tôi" in response.content.decode()


# Linksets: linkType=linkset and Accept: application/linkset+json, RFC 9264.
def test_linkset_by_link_type_and_by_accept_header_is_the_same(client, unit_path):
    by_param = _linkset(client, unit_path + "&linkType=linkset")
    by_accept = _linkset(client, unit_path, HTTP_ACCEPT=LINKSET)

    assert by_param == by_accept
    jsonschema.validate(
        by_param, LINKSET_SCHEMA, format_checker=jsonschema.FormatChecker()
    )


# If the request URI includes key qualifiers, links of each level up to the
# primary key SHALL be in the linkset; every link has href, type and title.
def test_linkset_holds_unit_lot_and_gtin_levels(client, lot, unit_path):
    Certification.objects.create(
        seller=lot.variant.product.seller,
        kind=CertificationKind.VIETGAP,
        number="VG-01",
        issuer="Chi cục",
        status=ReviewStatus.APPROVED,
    )

    contexts = _linkset(client, unit_path + "&linkType=linkset")["linkset"]

    anchors = [urlsplit(c["anchor"]).path for c in contexts]
    gtin = lot.variant.gtin.zfill(14)
    assert anchors == [
        f"/01/{gtin}/10/{lot.code}/21/3",
        f"/01/{gtin}/10/{lot.code}",
        f"/01/{gtin}",
    ]
    unit, lot_level, product = contexts
    assert urlsplit(unit[GS1 + "traceability"][0]["href"]).path == anchors[0]
    assert lot_level[GS1 + "epcis"][0]["href"].endswith(f"/api/v1/lots/{lot.pk}/epcis")
    assert product[GS1 + "pip"][0]["href"].endswith(lot.variant.product.url)
    assert product[GS1 + "certificationInfo"][0]["href"].endswith("#chung-nhan")
    for context in contexts:
        for rel, targets in context.items():
            if rel.startswith(GS1):
                assert all(t["href"] and t["title"] for t in targets)


# SHALL recognise one available link as the default; the default link SHALL
# NOT have optional attributes; for any URI there is one at its level or up.
def test_each_level_has_one_default_link_without_optional_attributes(client, unit_path):
    contexts = _linkset(client, unit_path + "&linkType=linkset")["linkset"]

    defaults = [c.get(GS1 + "defaultLink") for c in contexts]
    assert defaults[0] is not None and len(defaults[0]) == 1
    assert set(defaults[0][0]) == {"href", "title"}
    assert defaults[-1] is not None  # the GTIN level's, for a bare GTIN URI


def test_a_lot_or_unit_serves_its_default_link_the_scan_page_in_place(
    client, unit_path
):
    response = client.get(unit_path)

    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    assert 'data-verdict="genuine"' in response.content.decode()


def test_a_bare_gtin_redirects_to_its_default_link_the_product_page(client, lot):
    response = client.get(_gtin_path(lot))

    assert response.status_code == 307
    assert urlsplit(response["Location"]).path == lot.variant.product.url


# SHALL redirect to the requested type of link if available; 404 if not.
def test_a_requested_link_type_redirects_and_an_absent_one_is_404(
    client, lot, unit_path
):
    pip = client.get(unit_path + "&linkType=gs1:pip")
    full = client.get(unit_path + "&linkType=https://gs1.org/voc/pip")
    epcis = client.get(unit_path + "&linkType=gs1:epcis")
    absent = client.get(unit_path + "&linkType=gs1:recipeInfo")

    assert pip.status_code == full.status_code == epcis.status_code == 307
    assert urlsplit(pip["Location"]).path == lot.variant.product.url
    assert urlsplit(epcis["Location"]).path == f"/api/v1/lots/{lot.pk}/epcis"
    assert absent.status_code == 404


def test_an_unknown_gtin_or_lot_is_404(client, lot):
    gtin = lot.variant.gtin.zfill(14)

    assert client.get(f"/01/{gtin}/10/NOSUCHLOT?linkType=linkset").status_code == 404
    assert client.get("/01/08930009999994?linkType=linkset").status_code == 404


# By default SHALL pass on all key=value pairs in the query string.
def test_the_query_string_passes_on_when_redirecting(client, lot):
    response = client.get(_gtin_path(lot) + "?linkType=gs1:pip&utm_source=tem&x=1")

    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {"utm_source": ["tem"], "x": ["1"]}


# SHOULD expose the link to the linkset in an HTTP Link header, even when
# redirecting.
def test_link_header_points_to_the_linkset_on_pages_and_redirects(
    client, lot, unit_path
):
    for response in (client.get(unit_path), client.get(_gtin_path(lot))):
        assert 'rel="linkset"' in response["Link"]
        assert "linkType=linkset" in response["Link"]


# SHOULD support Accept-Language (and the Accept header) to choose between
# links of one type.
def test_accept_header_chooses_between_two_traceability_links(client, lot, unit_path):
    person = client.get(unit_path + "&linkType=gs1:traceability")
    program = client.get(
        unit_path + "&linkType=gs1:traceability", HTTP_ACCEPT="application/ld+json"
    )

    assert urlsplit(person["Location"]).path == urlsplit(unit_path).path
    assert urlsplit(program["Location"]).path == f"/api/v1/lots/{lot.pk}/epcis"


def test_accept_language_is_honoured(client, unit_path):
    vietnamese = client.get(unit_path + "&linkType=linkset", HTTP_ACCEPT_LANGUAGE="vi")
    english = client.get(unit_path + "&linkType=linkset", HTTP_ACCEPT_LANGUAGE="en")

    assert vietnamese["Content-Language"] == "vi"
    assert english["Content-Language"] == "en"
    assert "Accept-Language" in english["Vary"]
    vi_title = vietnamese.json()["linkset"][-1][GS1 + "pip"][0]["title"]
    en_title = english.json()["linkset"][-1][GS1 + "pip"][0]["title"]
    assert vi_title == "Trang sản phẩm"
    assert en_title == "Product page"


# SHOULD tolerate trailing slashes.
def test_a_trailing_slash_gets_the_same_answer(client, lot):
    bare = client.get(_gtin_path(lot) + "?linkType=gs1:pip")
    slash = client.get(_gtin_path(lot) + "/?linkType=gs1:pip")

    assert (bare.status_code, bare["Location"]) == (
        slash.status_code,
        slash["Location"],
    )


# The resolver never signs: a linkset asked for with an unsigned unit URI
# does not hand out a signed (genuine-looking) link.
def test_the_linkset_never_hands_out_a_signature(client, lot):
    gtin = lot.variant.gtin.zfill(14)
    unsigned = f"/01/{gtin}/10/{lot.code}/21/4"

    body = json.dumps(_linkset(client, unsigned + "?linkType=linkset"))

    assert "s=" not in body


# SHALL provide a resolver description file at /.well-known/gs1resolver that
# lists the supported primary keys (and SHOULD declare a JSON-LD context).
def test_resolver_description_file_lists_the_primary_keys(client):
    response = client.get("/.well-known/gs1resolver")

    assert response.status_code == 200
    description = response.json()
    assert description["supportedPrimaryKeys"] == ["01"]
    assert description["resolverRoot"] == "http://testserver"
    assert description["jsonLdContextLocation"].startswith("https://")
    assert response["Access-Control-Allow-Origin"] == "*"
