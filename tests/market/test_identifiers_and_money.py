from django.template import Context, Template
from django.utils import translation


def render(amount):
    return Template("{% load money %}{{ amount|vnd }}").render(
        Context({"amount": amount})
    )


def test_money_is_grouped_the_vietnamese_way():
    with translation.override("vi"):
        assert render(150000) == "150.000\u00a0₫"
        assert render(1250000) == "1.250.000\u00a0₫"
        assert render(0) == "0\u00a0₫"


def test_money_follows_the_reader_language():
    with translation.override("en"):
        assert render(150000) == "150,000\u00a0₫"


def test_missing_amount_renders_nothing():
    assert render(None) == ""


def test_phone_numbers_are_read_the_way_people_write_them():
    from market.identifiers import phone_normalize

    assert phone_normalize("0912 345 678") == "0912345678"
    assert phone_normalize("+84 912.345.678") == "0912345678"
    assert phone_normalize("(091) 2345-678") == "0912345678"
    # Landlines and short numbers are not mobiles: the form says so.
    assert phone_normalize("0235 3861 234") == ""
    assert phone_normalize("091234") == ""
