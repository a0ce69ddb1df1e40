import pytest

from market.checkout.services import Customer, ShippingAddress
from tests.factories import HA_NOI, HANOI_WARD, tariffs_create


@pytest.fixture
def tariffs(db):
    tariffs_create()


@pytest.fixture
def customer():
    return Customer(name="Trần Thị Mai", phone="0912 345 678", email="mai@example.vn")


@pytest.fixture
def hanoi_address():
    return ShippingAddress(
        province_code=HA_NOI, ward_code=HANOI_WARD, line="12 ngõ 34 Đội Cấn"
    )
