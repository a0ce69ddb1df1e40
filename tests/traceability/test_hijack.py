"""Issue 19, item 1: a seller taking over a competitor's printed QR codes.

The attack as reported: seller 2 saved the 14-digit form of seller 1's
GTIN-13 and made a lot with seller 1's lot code; seller 1's printed code then
showed seller 2's product as genuine, and after seller 1's recall its codes
said "genuine" (lot) and "not genuine" (unit 5) instead of "recalled".
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from market.models import Variant
from tests.factories import (
    LotFactory,
    UserFactory,
    VariantFactory,
    _gtin13,
    market_ensure,
    product_in,
    seller_with_login,
)
from tests.market.test_permissions import edit_form_data
from tests.traceability.test_scan_page import verdict_of
from traceability import digital_link
from traceability.services.links import link_resolve, lot_link, verifying_keys
from traceability.services.recalls import lot_recall

pytestmark = pytest.mark.django_db

GTIN13 = "8930001000018"
GTIN14 = "0" + GTIN13
LOT_CODE = "261123"


def _path(uri: str) -> str:
    return uri.removeprefix("http://testserver")


@pytest.fixture
def seller1_lot():
    lot = LotFactory(
        code=LOT_CODE,
        serials_issued=8,
        variant__gtin=GTIN13,
        variant__product__title="Nước mắm của người bán 1",
    )
    return lot


def test_a_gtin_is_stored_as_14_digits_and_found_in_either_form(seller1_lot):
    variant = Variant.objects.get(pk=seller1_lot.variant_id)

    assert variant.gtin == GTIN14
    assert Variant.objects.get(gtin=GTIN13) == variant
    assert Variant.objects.get(gtin=GTIN14) == variant
    assert variant.gtin_printed == GTIN13


def test_seller_2_saving_the_14_digit_form_of_seller_1s_gtin_is_refused(seller1_lot):
    other = VariantFactory(gtin=None)
    other.gtin = GTIN14

    with pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert "đã thuộc về một loại hàng khác" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_seller_2_typing_it_in_the_product_form_is_told_so(client, home_page):
    market_ensure()
    _seller1, _user1, store1 = seller_with_login(legal_name="Người bán 1")
    _seller2, user2, store2 = seller_with_login(legal_name="Người bán 2")
    mine = product_in(store1, title="Nước mắm của người bán 1")
    Variant.objects.filter(product=mine).update(gtin=GTIN13)
    theirs = product_in(store2, title="Nước mắm của người bán 2", live=False)
    client.force_login(user2)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[theirs.pk]),
        {
            **edit_form_data(theirs),
            "variants-0-gtin": GTIN14,
            "action-submit": "1",
        },
    )

    assert response.status_code == 200
    assert "đã thuộc về một loại hàng khác" in response.content.decode()
    revision = theirs.get_latest_revision()
    saved = revision.as_object().variants.all() if revision else []
    assert all(v.gtin != GTIN14 for v in saved)
    assert not Variant.objects.filter(product=theirs, gtin=GTIN13).exists()


def test_the_scan_of_seller_1s_code_never_shows_seller_2s_product(client, seller1_lot):
    printed = _path(lot_link(lot=seller1_lot, serial="5"))
    # Seller 2 may use the same lot code on their own GTIN: a different code.
    copy = LotFactory(code=LOT_CODE, variant__product__title="Hàng của người bán 2")

    response = client.get(printed)

    html = response.content.decode()
    assert verdict_of(response) == "genuine"
    assert "Nước mắm của người bán 1" in html
    assert "Hàng của người bán 2" not in html
    assert link_resolve(path_and_query=printed).lot == seller1_lot
    assert copy.variant.gtin != seller1_lot.variant.gtin


def test_a_code_signed_for_one_lot_never_verifies_for_another_lot(seller1_lot):
    link = digital_link.parse(lot_link(lot=seller1_lot, serial="5"))
    other = LotFactory(code=LOT_CODE)

    assert digital_link.verify(keys=verifying_keys(), link=link, lot_id=seller1_lot.pk)
    assert not digital_link.verify(keys=verifying_keys(), link=link, lot_id=other.pk)
    # A lot made before ids were signed would accept the older signature; a
    # new lot never does.
    assert not digital_link.verify(
        keys=verifying_keys(), link=link, lot_id=other.pk, unbound_ok=False
    )


def test_labels_printed_before_the_binding_stay_genuine_for_old_lots_only(
    client, seller1_lot
):
    key = verifying_keys()[0]
    unbound = digital_link.sign(
        key=key, gtin=GTIN14, lot=LOT_CODE, serial="3", lot_id=None
    )
    old_label = f"/01/{GTIN14}/10/{LOT_CODE}/21/3?s={unbound}"

    assert verdict_of(client.get(old_label)) == "not-genuine"
    seller1_lot.accepts_unbound_codes = True
    seller1_lot.save(update_fields=["accepts_unbound_codes"])
    assert verdict_of(client.get(old_label)) == "genuine"


def test_a_recall_shows_recalled_on_the_lot_code_and_every_unit_code(
    client, seller1_lot
):
    codes = [
        lot_link(lot=seller1_lot),
        lot_link(lot=seller1_lot, serial="5"),
        lot_link(lot=seller1_lot, serial="99"),  # signed, never printed
    ]
    owner = UserFactory()
    seller1_lot.farm.seller.users.add(owner)
    lot_recall(lot=seller1_lot, reason="Dư lượng muối vượt ngưỡng", actor=owner)

    for code in codes:
        response = client.get(_path(code))
        assert verdict_of(response) == "recalled", code
        assert "Dư lượng muối vượt ngưỡng" in response.content.decode()
    forged = _path(codes[1]).rsplit("s=", 1)[0] + "s=AAAAAAAAAAAA"
    assert verdict_of(client.get(forged)) == "recalled"


def test_the_migration_keeps_the_oldest_of_two_forms_of_one_gtin():
    normalise = __import__(
        "market.migrations.0003_gtin_normalise_rows", fromlist=["normalise"]
    ).normalise
    first = VariantFactory(gtin=None)
    later = VariantFactory(gtin=None)
    alone = VariantFactory(gtin=None)
    table = connection.ops.quote_name(Variant._meta.db_table)
    other13 = _gtin13(424242)
    with connection.cursor() as cursor:
        # The raw strings the old code stored: equal products, unequal text.
        for pk, raw in ((first.pk, GTIN13), (later.pk, GTIN14), (alone.pk, other13)):
            cursor.execute(f"UPDATE {table} SET gtin = %s WHERE id = %s", [raw, pk])  # noqa: S608

    normalise(apps, None)

    stored = dict(Variant.objects.values_list("pk", "gtin"))
    assert stored[first.pk] == GTIN14
    assert stored[later.pk] is None
    assert stored[alone.pk] == "0" + other13
