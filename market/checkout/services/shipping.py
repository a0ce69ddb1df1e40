"""Shipping fees from the operator's tariff table."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from market.checkout.models import ShippingTariff, ShippingZone
from market.checkout.zones import shipping_zone

from .errors import ShippingUnavailable


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
