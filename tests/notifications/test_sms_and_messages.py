"""One SMS per message: GSM-7 / UCS-2 lengths, Vietnamese without marks,
names shortened at a word boundary, every message kind at its longest."""

from __future__ import annotations

import pytest

from market.notifications import messages
from market.notifications.phones import PhoneInvalid, msisdn_display, phone_to_msisdn
from market.notifications.sms import (
    fits_one_sms,
    gsm7_length,
    shorten,
    sms_fit,
    strip_marks,
    ucs2_length,
)

# The longest names a form lets through: a store's registered name is up to
# 200 characters, a product page title up to 255.
LONG_STORE = (
    "Hợp tác xã Nông nghiệp Dịch vụ Tổng hợp Sản xuất và Tiêu thụ Nước mắm "
    "Truyền thống Làng nghề Cửa Đại thành phố Hội An tỉnh Quảng Nam Việt Nam "
    "chi nhánh số hai khu vực ven biển miền Trung"
)[:200]
LONG_PRODUCT = (
    "Nước mắm cá cơm nhĩ thượng hạng ủ chượp chum sành truyền thống 40 độ đạm "
    "đóng chai thủy tinh 500 ml làm quà biếu Tết Nguyên Đán cho gia đình và đối "
    "tác kinh doanh, hộp giấy kraft in logo, kèm túi vải, bảo quản nơi khô ráo "
    "thoáng mát tránh ánh nắng trực tiếp (chai 500 ml)"
)[:255]
LOT = "L" + "9" * 19  # 20 characters, the longest lot code
SERIAL = "9" * 20


def test_gsm7_counts_extension_characters_twice_and_refuses_marks():
    assert gsm7_length("Nguon Que") == 9
    assert gsm7_length("[1]€") == 7
    assert gsm7_length("Nguồn Quê") is None
    assert ucs2_length("Nguồn Quê") == 9
    assert ucs2_length("🍚") == 2


def test_one_sms_is_160_gsm7_or_70_ucs2():
    assert fits_one_sms("a" * 160) and not fits_one_sms("a" * 161)
    assert fits_one_sms("ệ" * 70) and not fits_one_sms("ệ" * 71)
    assert not fits_one_sms("€" * 81)


def test_marks_are_stripped_to_plain_letters():
    assert strip_marks("Đặc sản Hội An – “ngon”…") == 'Dac san Hoi An - "ngon"...'
    assert strip_marks("Ơn trời mưa nắng phải thì") == "On troi mua nang phai thi"


def test_shorten_keeps_whole_words():
    text = "Nước mắm cá cơm nhĩ thượng hạng"
    short = shorten(text, max_length=16)
    assert short == "Nước mắm cá cơm…"
    assert len(short) <= 16
    assert shorten("Mật ong", max_length=20) == "Mật ong"


def test_a_short_text_keeps_its_marks():
    fitted = sms_fit("Nguồn Quê: {product} đã được duyệt.", {"product": "Mật ong"})
    assert fitted.unicode is True
    assert fitted.text == "Nguồn Quê: Mật ong đã được duyệt."


def _words_of(text: str) -> set[str]:
    return set(strip_marks(text).replace("(", " ").replace(")", " ").split())


LONGEST = {
    "order_to_pack": lambda: messages.order_to_pack(
        order_number="NQ7K3M9P",
        store=LONG_STORE,
        product=f"{LONG_PRODUCT} +12",
        items=9999,
        link="https://cho.example.vn/admin/dong-goi/",
    ),
    "certificate_expiring": lambda: messages.certificates_expiring(
        store=LONG_STORE,
        count=99,
        first="VietGAP VietGAP-TT-21-05-49-0012",
        valid_until="31/12/2026",
        lines="",
        link="",
    ),
    "copied_code": lambda: messages.copied_code(
        product=LONG_PRODUCT,
        lot=LOT,
        serial=SERIAL,
        scans=99999,
        clients=9999,
        link="",
    ),
    "recall_seller": lambda: messages.recall_seller(
        product=LONG_PRODUCT, lot=LOT, shoppers=9999, reason="x" * 500, link=""
    ),
    "recall_shopper": lambda: messages.recall_shopper(
        product=LONG_PRODUCT,
        lot=LOT,
        order_number="NQ7K3M9P",
        seller_phone="0905123456",
    ),
    "product_published": lambda: messages.product_published(
        product=LONG_PRODUCT, store=LONG_STORE, link=""
    ),
    "product_rejected": lambda: messages.product_rejected(
        product=LONG_PRODUCT, store=LONG_STORE, note="x" * 1000, link=""
    ),
}


@pytest.mark.parametrize("kind", sorted(LONGEST))
def test_every_message_fits_one_sms_at_its_longest(kind):
    message = LONGEST[kind]()
    sms = message.sms
    assert fits_one_sms(sms.text), (len(sms.text), sms.text)
    assert sms.unicode is False and gsm7_length(sms.text) <= 160
    # Names are shortened word by word, never cut inside a word.
    allowed = (
        _words_of(LONG_STORE)
        | _words_of(LONG_PRODUCT)
        | _words_of(message.sms.text.split(":")[0])
    )
    for word in sms.text.split():
        if "..." in word:
            stem = word.split("...")[0]
            assert stem in allowed, word


@pytest.mark.parametrize("kind", sorted(LONGEST))
def test_zalo_parameters_stay_within_zns_limits(kind):
    data = LONGEST[kind]().zalo
    assert data
    for key, value in data.items():
        limit = 200 if key == "product_name" else 30
        assert len(value) <= limit, (key, value)


def test_short_names_are_kept_whole_with_their_marks():
    message = messages.product_published(product="Mật ong", store="HTX Ong", link="")
    assert message.sms.unicode is True
    assert "Mật ong" in message.sms.text and "HTX Ong" in message.sms.text


def test_the_order_message_names_order_store_and_count():
    message = messages.order_to_pack(
        order_number="NQ7K3M9P",
        store="HTX Nước mắm Cửa Đại",
        product="Nước mắm cá cơm",
        items=3,
        link="https://cho.example.vn/admin/",
    )
    assert "NQ7K3M9P" in message.sms.text
    assert "HTX Nuoc mam Cua Dai" in message.sms.text  # no marks: > 70 with them
    assert "3 mon" in message.sms.text
    assert "https://cho.example.vn/admin/" in message.body


# --- phone numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["0905123456", "0905 123 456", "0905.123.456", "+84 905 123 456", "84905123456"],
)
def test_mobile_numbers_are_normalised_to_84(typed):
    assert phone_to_msisdn(typed) == "84905123456"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0123456789",
        "02351234567",
        "090512345",
        "09051234567",
        "abc",
        "+33612345678",
    ],
)
def test_landlines_old_prefixes_and_foreign_numbers_are_refused(typed):
    with pytest.raises(PhoneInvalid):
        phone_to_msisdn(typed)


def test_a_number_is_shown_the_way_a_farmer_writes_it():
    assert msisdn_display("84905123456") == "0905 123 456"
