"""The same partner event sent many times at once is one change."""

import pytest
from django.db import connection

from market.fulfilment.models import ParcelEvent, ParcelStatus
from market.fulfilment.services.parcels import parcel_set_status
from tests.concurrency import at_once, errors_of
from tests.factories import (
    HA_NOI,
    PartnerAreaFactory,
    PartnerFactory,
    SellerFactory,
    order_with_shipments,
    ward_of,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's in-memory test database answers "table is locked" instead of
    # waiting; the row locks this proves are PostgreSQL's.
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks"
    ),
]


def test_ten_concurrent_copies_of_one_event_change_the_parcel_once():
    partner = PartnerFactory(code="bc-dua")
    PartnerAreaFactory(partner=partner, province_code=HA_NOI)
    seller = SellerFactory(province_code=HA_NOI, ward_code=ward_of(HA_NOI, 2))
    parcel = order_with_shipments(sellers=[seller]).shipments.get().parcel
    results = at_once(
        10,
        lambda _n: (
            parcel_set_status(
                parcel=parcel, status=ParcelStatus.ACCEPTED, client_event_id="dup-1"
            ).created
        ),
    )

    assert errors_of(results) == []
    assert sorted(results) == [False] * 9 + [True]
    assert ParcelEvent.objects.filter(client_event_id="dup-1").count() == 1
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.ACCEPTED
