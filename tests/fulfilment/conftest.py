import pytest

from tests.factories import (
    HA_NOI,
    PartnerAreaFactory,
    PartnerFactory,
    SellerFactory,
    UserFactory,
    order_with_shipments,
    ward_of,
)


@pytest.fixture
def partner_a(db):
    staff = UserFactory(username="nv-a")
    partner = PartnerFactory(code="bc-a", name="Bưu điện A", staff=[staff])
    PartnerAreaFactory(partner=partner, province_code=HA_NOI)
    return partner


@pytest.fixture
def partner_b(db):
    staff = UserFactory(username="nv-b")
    partner = PartnerFactory(code="bc-b", name="Bưu điện B", staff=[staff])
    PartnerAreaFactory(
        partner=partner, province_code=HA_NOI, ward_code=ward_of(HA_NOI, 0)
    )
    return partner


@pytest.fixture
def seller_user(db):
    return UserFactory(username="nongdan-test")


@pytest.fixture
def seller(db, seller_user):
    # A cooperative that declares its own tax: nothing is withheld, so the
    # ledger tests here see sales, commission and refunds alone
    # (tests/fulfilment/test_taxes.py covers the withheld household).
    return SellerFactory(
        kind="cooperative",
        declares_own_tax=True,
        legal_name="HTX Rau sạch Sóc Sơn",
        province_code=HA_NOI,
        ward_code=ward_of(HA_NOI, 5),
        users=[seller_user],
    )


@pytest.fixture
def paid_order(db, seller, partner_a):
    """An order of one seller, paid: its parcel goes to partner A."""
    return order_with_shipments(sellers=[seller])


@pytest.fixture
def parcel(paid_order):
    return paid_order.shipments.get().parcel
