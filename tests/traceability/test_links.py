import datetime as dt

import biip
import pytest

from tests.factories import LotFactory, VariantFactory
from traceability import digital_link
from traceability.services.links import link_resolve, lot_link

pytestmark = pytest.mark.django_db


def _path(uri: str) -> str:
    return uri.removeprefix("http://testserver")


def test_every_printed_link_is_a_gs1_digital_link_biip_accepts():
    lots = [
        LotFactory(code=code, best_before=best_before)
        for code, best_before in [
            ("261015", dt.date(2027, 10, 1)),
            ("MAM-2026.01_b", None),
            ("A", dt.date(2028, 2, 29)),
            ("12345678901234567890", dt.date(2026, 12, 31)),
        ]
    ]
    lots.append(LotFactory(variant__gtin="96385074"))  # a GTIN-8
    lots.append(LotFactory(variant__gtin="036000291452"))  # a UPC-A (GTIN-12)

    for lot in lots:
        for serial in [None, "1", "7", "999", "20000", "12345678901234567890"]:
            uri = lot_link(lot=lot, serial=serial)

            result = biip.parse(uri)
            link = result.gs1_digital_link_uri
            assert link is not None, uri
            assert result.gs1_digital_link_uri_error is None
            by_ai = {e.ai.ai: e for e in link.element_strings}
            assert by_ai["01"].gtin_error is None
            assert by_ai["01"].gtin is not None
            assert by_ai["10"].value == lot.code
            if serial:
                assert by_ai["21"].value == serial
            if lot.best_before:
                assert by_ai["17"].date == lot.best_before


def test_a_printed_unit_link_resolves_to_its_lot_and_serial():
    lot = LotFactory(serials_issued=50)

    resolved = link_resolve(path_and_query=_path(lot_link(lot=lot, serial="17")))

    assert resolved.lot == lot
    assert resolved.serial == "17"
    assert resolved.signature_ok


def test_a_lot_link_without_serial_resolves():
    lot = LotFactory()

    lot_found, serial, ok = link_resolve(path_and_query=_path(lot_link(lot=lot)))

    assert (lot_found, serial, ok) == (lot, None, True)


def test_a_variant_without_gtin_gets_the_short_form_and_it_resolves():
    lot = LotFactory(variant__gtin=None, serials_issued=3)

    uri = lot_link(lot=lot, serial="3")

    assert uri.startswith(f"http://testserver/q/{lot.pk}/3?s=")
    assert link_resolve(path_and_query=_path(uri)) == (lot, "3", True)


def _change_one(text: str, at: int) -> str:
    swapped = "B" if text[at] != "B" else "C"
    return text[:at] + swapped + text[at + 1 :]


def test_changing_one_character_of_the_signature_makes_it_not_genuine():
    lot = LotFactory(serials_issued=5)
    path = _path(lot_link(lot=lot, serial="5"))
    signature_at = path.index("s=") + 2

    for offset in range(digital_link.SIGNATURE_LENGTH):
        forged = _change_one(path, signature_at + offset)
        found, _serial, ok = link_resolve(path_and_query=forged)
        assert found == lot
        assert not ok, forged


def test_changing_the_serial_makes_it_not_genuine_even_if_that_serial_exists():
    lot = LotFactory(serials_issued=50)
    path = _path(lot_link(lot=lot, serial="17"))

    forged = path.replace("/21/17?", "/21/18?")

    assert link_resolve(path_and_query=forged) == (lot, "18", False)


def test_a_correctly_signed_serial_that_was_never_issued_is_not_genuine():
    lot = LotFactory(serials_issued=10)

    resolved = link_resolve(path_and_query=_path(lot_link(lot=lot, serial="11")))

    assert resolved.lot == lot
    assert not resolved.signature_ok


def test_a_serial_with_leading_zeros_is_not_one_we_print():
    lot = LotFactory(serials_issued=10)

    resolved = link_resolve(path_and_query=_path(lot_link(lot=lot, serial="007")))

    assert not resolved.signature_ok


def test_a_missing_signature_or_unknown_lot_or_garbage_is_not_genuine():
    lot = LotFactory(serials_issued=10)
    path = _path(lot_link(lot=lot, serial="1"))

    unsigned = path.split("&s=")[0]
    unknown_lot = path.replace(f"/10/{lot.code}/", "/10/NOPE/")

    assert link_resolve(path_and_query=unsigned) == (lot, "1", False)
    assert link_resolve(path_and_query=unknown_lot) == (None, "1", False)
    assert link_resolve(path_and_query="/01/123/10/x") == (None, None, False)
    assert link_resolve(path_and_query="/wp-admin") == (None, None, False)


def test_a_gtin_13_variant_resolves_from_its_gtin_14_link():
    gtin13 = "893456789012" + digital_link.gtin_check_digit("893456789012")
    variant = VariantFactory(gtin=gtin13)
    lot = LotFactory(variant=variant, farm__seller=variant.product.seller)

    uri = lot_link(lot=lot)

    assert f"/01/0{gtin13}/" in uri
    assert link_resolve(path_and_query=_path(uri)).lot == lot


def test_links_signed_with_another_key_are_not_genuine(settings):
    lot = LotFactory(serials_issued=2)
    settings.QR_SIGNING_KEY = "someone-elses-key"
    forged = _path(lot_link(lot=lot, serial="1"))
    settings.QR_SIGNING_KEY = "our-key"

    assert link_resolve(path_and_query=forged) == (lot, "1", False)
