from vietnam_provinces import Province

from market.checkout.models import ShippingZone
from market.checkout.zones import NEIGHBOURS, shipping_zone


def test_every_province_of_the_package_has_neighbour_data():
    codes = {int(p.code) for p in Province.iter_all()}
    assert set(NEIGHBOURS) == codes
    for adjacent in NEIGHBOURS.values():
        assert adjacent <= codes


def test_borders_are_symmetric_and_never_self():
    for code, adjacent in NEIGHBOURS.items():
        assert code not in adjacent
        for other in adjacent:
            assert code in NEIGHBOURS[other], (code, other)


def test_zones_for_a_parcel_from_hanoi():
    assert shipping_zone(from_province=1, to_province=1) == ShippingZone.SAME_PROVINCE
    # Ninh Bình (merged with Hà Nam) borders Hà Nội.
    assert shipping_zone(from_province=1, to_province=37) == ShippingZone.NEIGHBOUR
    assert shipping_zone(from_province=1, to_province=79) == ShippingZone.OTHER
    # The island-free south: Cà Mau borders An Giang and Cần Thơ only.
    assert shipping_zone(from_province=96, to_province=82) == ShippingZone.OTHER
