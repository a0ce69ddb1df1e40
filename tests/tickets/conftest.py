import pytest


@pytest.fixture
def world(home_page, tariffs):
    """Two sellers with a login each; seller A sells a tour with one slot."""
    from tests.factories import (
        market_ensure,
        seller_with_login,
        slot_create,
        tour_create,
    )

    market_ensure()
    seller_a, farmer_a, _store = seller_with_login(legal_name="HTX Rừng dừa Bảy Mẫu")
    seller_b, farmer_b, _store_b = seller_with_login(legal_name="HTX Mắm Cửa Hội")
    tour = tour_create(seller_a)
    return {
        "seller_a": seller_a,
        "farmer_a": farmer_a,
        "seller_b": seller_b,
        "farmer_b": farmer_b,
        "tour": tour,
        "slot": slot_create(tour, capacity=3),
    }
