"""seed_demo's tour: the basket-boat tour of Rừng dừa Bảy Mẫu gets slots."""

import pytest

from market.demo import seed_market
from market.models import OcopCategory, ProductPage
from market.tickets.demo import seed_tickets
from market.tickets.models import TimeSlot

pytestmark = pytest.mark.django_db


def test_the_demo_tour_is_on_sale_by_slot(client, home_page):
    seed_market()
    assert seed_tickets() == 28  # 2 tickets x 7 days x 2 boats
    assert seed_tickets() == 0  # safe to run again

    tour = ProductPage.objects.get(title="Đi thuyền thúng rừng dừa Bảy Mẫu")
    assert tour.category == OcopCategory.TOURISM and tour.in_stock
    assert TimeSlot.objects.filter(variant__product=tour).count() == 28
    page = client.get(tour.url).content.decode()
    assert page.count('name="slot"') == 28
