import pytest

from market.checkout.models import ShippingTariff, ShippingZone
from market.checkout.services import ShippingUnavailable, shipping_fee


def test_the_lightest_bracket_holding_the_weight_sets_the_fee(tariffs):
    assert shipping_fee(weight_g=300, zone=ShippingZone.SAME_PROVINCE) == 20_000
    assert shipping_fee(weight_g=1000, zone=ShippingZone.SAME_PROVINCE) == 20_000
    assert shipping_fee(weight_g=1001, zone=ShippingZone.SAME_PROVINCE) == 25_000
    assert shipping_fee(weight_g=2500, zone=ShippingZone.OTHER) == 52_000


def test_each_started_kilogram_above_the_table_adds_the_extra_fee(tariffs):
    assert shipping_fee(weight_g=3001, zone=ShippingZone.NEIGHBOUR) == 38_000 + 5_000
    assert shipping_fee(weight_g=5500, zone=ShippingZone.NEIGHBOUR) == 38_000 + 15_000


def test_a_zone_without_tariff_is_refused_with_a_message(db):
    # `migrate` gives every zone a default tariff; the operator removed one.
    ShippingTariff.objects.filter(zone=ShippingZone.OTHER).delete()
    with pytest.raises(ShippingUnavailable, match="Chưa có biểu phí"):
        shipping_fee(weight_g=500, zone=ShippingZone.OTHER)
