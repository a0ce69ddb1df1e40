import pytest

from market.payments import vietqr

KNOWN_GOOD = (
    "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA"
    "53037045802VN6304CBB4"
)


def test_static_payload_matches_the_published_vector():
    payload = vietqr.build_payload(bank_bin="970423", account="0099999999")

    assert payload == KNOWN_GOOD


def test_crc_is_ccitt_false():
    # The standard check value of CRC-16/CCITT-FALSE.
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1


def test_order_payload_carries_amount_and_order_code_and_a_valid_crc():
    payload = vietqr.build_payload(
        bank_bin="970436",
        account="0011004455667",
        amount_vnd=150_000,
        purpose="NQ7K3M9P",
    )

    fields = vietqr.parse_payload(payload)
    assert fields["01"] == "12"
    assert fields["53"] == "704"
    assert fields["54"] == "150000"
    assert fields["58"] == "VN"
    assert vietqr.sub_fields(fields["62"]) == {"08": "NQ7K3M9P"}
    merchant = vietqr.sub_fields(fields["38"])
    assert merchant["00"] == "A000000727"
    assert merchant["02"] == "QRIBFTTA"
    assert vietqr.sub_fields(merchant["01"]) == {"00": "970436", "01": "0011004455667"}


def test_a_changed_payload_fails_the_crc_check():
    payload = vietqr.build_payload(
        bank_bin="970436",
        account="0011004455667",
        amount_vnd=150_000,
        purpose="NQ7K3M9P",
    )
    tampered = payload.replace("150000", "950000")

    with pytest.raises(vietqr.VietQRError):
        vietqr.parse_payload(tampered)


@pytest.mark.parametrize("purpose", ["Đơn hàng NQ7K3M9P", "X" * 26])
def test_purpose_must_be_short_ascii(purpose):
    with pytest.raises(vietqr.VietQRError):
        vietqr.build_payload(
            bank_bin="970436", account="0011004455667", amount_vnd=1000, purpose=purpose
        )


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (150_000, "một trăm năm mươi nghìn đồng"),
        (21_000, "hai mươi mốt nghìn đồng"),
        (105, "một trăm lẻ năm đồng"),
        (15, "mười lăm đồng"),
        (1_050_000, "một triệu không trăm năm mươi nghìn đồng"),
        (2_345_678, "hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám đồng"),
        (3_000_000_000, "ba tỷ đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert vietqr.amount_in_words(amount) == words
