"""Shipping fees from the operator's tariff table."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from market.checkout.models import ShippingTariff, ShippingZone
from market.checkout.zones import shipping_zone

from .errors import ShippingUnavailable

# (zone, up to grams, fee, extra per started kg above the last bracket):
# roughly what the post office charged for parcels in 2025. A new install
# starts with these; the operator edits them in the admin.
DEFAULT_TARIFFS = [
    (ShippingZone.SAME_PROVINCE, 500, 18_000, 0),
    (ShippingZone.SAME_PROVINCE, 1_000, 22_000, 0),
    (ShippingZone.SAME_PROVINCE, 3_000, 28_000, 0),
    (ShippingZone.SAME_PROVINCE, 5_000, 35_000, 4_000),
    (ShippingZone.NEIGHBOUR, 500, 25_000, 0),
    (ShippingZone.NEIGHBOUR, 1_000, 30_000, 0),
    (ShippingZone.NEIGHBOUR, 3_000, 40_000, 0),
    (ShippingZone.NEIGHBOUR, 5_000, 50_000, 6_000),
    (ShippingZone.OTHER, 500, 32_000, 0),
    (ShippingZone.OTHER, 1_000, 38_000, 0),
    (ShippingZone.OTHER, 3_000, 55_000, 0),
    (ShippingZone.OTHER, 5_000, 70_000, 9_000),
]


def tariffs_default_ensure() -> int:
    """Every zone has a fee table: a zone with no row at all gets the default
    brackets. A zone the operator has priced is never touched, so running
    `migrate` again keeps their edits. Returns the number of rows created."""
    priced = set(ShippingTariff.objects.values_list("zone", flat=True).distinct())
    rows = [
        ShippingTariff(
            zone=zone, max_weight_g=grams, fee_vnd=fee, extra_per_kg_vnd=extra
        )
        for zone, grams, fee, extra in DEFAULT_TARIFFS
        if zone not in priced
    ]
    ShippingTariff.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def shipping_fee(*, weight_g: int, zone: str, tariffs=None) -> int:
    """The fee of a parcel of `weight_g` grams in `zone`, in dong.

    The lightest bracket that holds the weight sets the fee; above the
    heaviest bracket each started kilogram adds that bracket's
    `extra_per_kg_vnd`. Raises `ShippingUnavailable` when the zone has no
    bracket at all. `tariffs` (rows of any zone) saves queries when quoting
    several parcels.
    """
    rows = sorted(
        (t for t in (tariffs if tariffs is not None else _tariffs()) if t.zone == zone),
        key=lambda t: t.max_weight_g,
    )
    if not rows:
        raise ShippingUnavailable(
            _("Chưa có biểu phí giao hàng cho vùng “%(zone)s”. Hãy báo cho chợ.")
            % {"zone": ShippingZone(zone).label}
        )
    for row in rows:
        if weight_g <= row.max_weight_g:
            return row.fee_vnd
    heaviest = rows[-1]
    extra_kg = math.ceil((weight_g - heaviest.max_weight_g) / 1000)
    return heaviest.fee_vnd + extra_kg * heaviest.extra_per_kg_vnd


def shipment_quote(
    *, from_province: int, to_province: int, weight_g: int, tariffs=None
) -> tuple[str, int]:
    """(zone, fee) of one seller's parcel to the shopper's province."""
    zone = shipping_zone(from_province=from_province, to_province=to_province)
    return zone, shipping_fee(weight_g=weight_g, zone=zone, tariffs=tariffs)


def _tariffs() -> list[ShippingTariff]:
    return list(ShippingTariff.objects.all())


def tariffs_all() -> list[ShippingTariff]:
    """Every tariff row, for quoting many parcels with one query."""
    return _tariffs()
