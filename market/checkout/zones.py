"""Shipping zones: same province, neighbouring province, or farther.

Neighbours are the provinces that share a land border under the two-level
administration in force since 1 July 2025 (34 provinces and cities), keyed by
the province codes of the `vietnam-provinces` package. The table was derived
by hand from the pre-merger borders: a merged province borders every new
province that one of its former parts bordered. `tests/checkout/test_zones.py`
checks that it is symmetric and uses only real codes; if the administration
changes again, this table is the one place to update.
"""

from __future__ import annotations

from market.checkout.models import ShippingZone

# code: codes of the provinces sharing a land border with it.
NEIGHBOURS: dict[int, frozenset[int]] = {
    code: frozenset(adjacent)
    for code, adjacent in {
        1: {19, 24, 25, 33, 37},  # Hà Nội
        4: {8, 19, 20},  # Cao Bằng
        8: {4, 15, 19, 25},  # Tuyên Quang (+ Hà Giang)
        11: {12, 14},  # Điện Biên
        12: {11, 14, 15},  # Lai Châu
        14: {11, 12, 15, 25, 38},  # Sơn La
        15: {8, 12, 14, 25},  # Lào Cai (+ Yên Bái)
        19: {1, 4, 8, 20, 24, 25},  # Thái Nguyên (+ Bắc Kạn)
        20: {4, 19, 22, 24},  # Lạng Sơn
        22: {20, 24, 31},  # Quảng Ninh
        24: {1, 19, 20, 22, 31, 33},  # Bắc Ninh (+ Bắc Giang)
        25: {1, 8, 14, 15, 19, 37, 38},  # Phú Thọ (+ Vĩnh Phúc, Hòa Bình)
        31: {22, 24, 33},  # Hải Phòng (+ Hải Dương)
        33: {1, 24, 31, 37},  # Hưng Yên (+ Thái Bình)
        37: {1, 25, 33, 38},  # Ninh Bình (+ Hà Nam, Nam Định)
        38: {14, 25, 37, 40},  # Thanh Hóa
        40: {38, 42},  # Nghệ An
        42: {40, 44},  # Hà Tĩnh
        44: {42, 46},  # Quảng Trị (+ Quảng Bình)
        46: {44, 48},  # Huế
        48: {46, 51},  # Đà Nẵng (+ Quảng Nam)
        51: {48, 52},  # Quảng Ngãi (+ Kon Tum)
        52: {51, 66},  # Gia Lai (+ Bình Định)
        56: {66, 68},  # Khánh Hòa (+ Ninh Thuận)
        66: {52, 56, 68},  # Đắk Lắk (+ Phú Yên)
        68: {56, 66, 75, 79},  # Lâm Đồng (+ Đắk Nông, Bình Thuận)
        75: {68, 79, 80},  # Đồng Nai (+ Bình Phước)
        79: {68, 75, 80, 82},  # Hồ Chí Minh (+ Bình Dương, Bà Rịa - Vũng Tàu)
        80: {75, 79, 82},  # Tây Ninh (+ Long An)
        82: {79, 80, 86, 91, 92},  # Đồng Tháp (+ Tiền Giang)
        86: {82, 92},  # Vĩnh Long (+ Bến Tre, Trà Vinh)
        91: {82, 92, 96},  # An Giang (+ Kiên Giang)
        92: {82, 86, 91, 96},  # Cần Thơ (+ Hậu Giang, Sóc Trăng)
        96: {91, 92},  # Cà Mau (+ Bạc Liêu)
    }.items()
}


def are_neighbours(a: int, b: int) -> bool:
    return b in NEIGHBOURS.get(a, frozenset())


def shipping_zone(*, from_province: int, to_province: int) -> str:
    """The zone of a parcel sent from one province to another."""
    if from_province == to_province:
        return ShippingZone.SAME_PROVINCE
    if are_neighbours(from_province, to_province):
        return ShippingZone.NEIGHBOUR
    return ShippingZone.OTHER
