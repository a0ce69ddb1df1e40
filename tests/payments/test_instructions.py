"""What the shopper is shown: instructions, the VietQR image, the pages."""

import io

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image

from market.payments import services, vietqr


def test_vietqr_instructions_carry_a_valid_payload_for_the_order(
    settings, vietqr_order
):
    info = services.payment_instructions(order=vietqr_order)

    fields = vietqr.parse_payload(info["payload"])
    assert info["method"] == "vietqr"
    assert fields["54"] == "150000"
    assert vietqr.sub_fields(fields["62"])["08"] == vietqr_order.number
    assert info["amount_in_words"] == "một trăm năm mươi nghìn đồng"
    assert info["transfer_content"] == vietqr_order.number
    assert info["image_url"].startswith(settings.SITE_URL)
    assert vietqr_order.access_token in info["image_url"]


def test_vietqr_image_decodes_to_the_payload(client, vietqr_order):
    url = reverse("payments:vietqr_image", kwargs={"number": vietqr_order.number})

    answer = client.get(url, {"t": vietqr_order.access_token})

    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(answer.content)))
    assert answer["Content-Type"] == "image/png"
    assert [code.text for code in decoded] == [
        services.payment_instructions(order=vietqr_order)["payload"]
    ]


def test_vietqr_image_needs_the_order_secret(client, vietqr_order):
    url = reverse("payments:vietqr_image", kwargs={"number": vietqr_order.number})

    assert client.get(url, {"t": "wrong"}).status_code == 404
    assert client.get(url).status_code == 404


@pytest.mark.localstripe
def test_card_instructions_give_a_setup_intent_secret(localstripe, card_order):
    info = services.payment_instructions(order=card_order)

    assert info["method"] == "card"
    assert info["client_secret"].startswith("seti_")
    assert info["js_url"] == f"{localstripe}/js.stripe.com/v3/"
    assert info["pay_url"].endswith(f"?t={card_order.access_token}")


def test_card_instructions_without_a_gateway_still_say_how_to_pay(settings, card_order):
    settings.PAYMENT_GATEWAY_URL = "http://127.0.0.1:9"  # nothing listens there

    info = services.payment_instructions(order=card_order)

    assert info["client_secret"] is None
    assert info["setup_url"]


def test_payment_page_shows_bank_details_and_amount_in_words(client, vietqr_order):
    url = reverse("payments:page", kwargs={"number": vietqr_order.number})

    page = client.get(url, {"t": vietqr_order.access_token}).content.decode()

    assert "150.000" in page
    assert "Một trăm năm mươi nghìn đồng" in page
    assert vietqr_order.number in page
    assert client.get(url, {"t": "x"}).status_code == 404


def test_paid_order_shows_no_payment_form(client, card_order):
    from django.utils import timezone

    from market.checkout.services import order_mark_paid

    order_mark_paid(order=card_order, paid_at=timezone.now())
    url = reverse("payments:page", kwargs={"number": card_order.number})

    page = client.get(url, {"t": card_order.access_token}).content.decode()

    assert "card-element" not in page
    assert "Đơn đã được thanh toán" in page


@pytest.mark.parametrize(
    ("status", "form_shown"),
    [("processing", False), ("requires_action", True), ("failed", True)],
)
def test_card_form_is_back_unless_a_charge_waits_for_the_bank(
    client, card_order, status, form_shown
):
    from market.payments.models import Payment

    Payment.objects.create(
        order=card_order,
        provider="card",
        reference="pi_page",
        amount_vnd=card_order.total_vnd,
        status=status,
        idempotency_key="pay_page",
    )
    url = reverse("payments:page", kwargs={"number": card_order.number})

    page = client.get(url, {"t": card_order.access_token}).content.decode()

    assert ('id="card-element"' in page) is form_shown


@pytest.mark.parametrize(
    ("gateway_url", "key", "shown"),
    [
        ("http://127.0.0.1:8420", "pk_test_nguonque", True),
        ("https://api.stripe.com", "pk_test_abc", True),
        ("https://api.stripe.com", "pk_live_abc", False),
    ],
)
def test_the_card_form_lists_the_test_cards_only_when_no_real_card_is_charged(
    client, settings, card_order, gateway_url, key, shown
):
    settings.PAYMENT_GATEWAY_URL = gateway_url
    settings.PAYMENT_GATEWAY_PUBLISHABLE_KEY = key
    url = reverse("payments:page", kwargs={"number": card_order.number})

    page = client.get(url, {"t": card_order.access_token}).content.decode()

    assert ("4000 0000 0000 0341" in page) is shown
    assert ("4242 4242 4242 4242" in page) is shown


def test_the_qr_page_lets_a_shopper_on_the_same_phone_save_the_qr_and_copy_details(
    client, settings, vietqr_order
):
    url = reverse("payments:page", kwargs={"number": vietqr_order.number})
    page = client.get(url, {"t": vietqr_order.access_token}).content.decode()
    image = reverse("payments:vietqr_image", kwargs={"number": vietqr_order.number})

    assert f'download="VietQR-{vietqr_order.number}.png"' in page
    assert f'href="{image}?t={vietqr_order.access_token}"' in page
    assert "Lưu ảnh mã QR" in page
    # Visible text to select without JavaScript; the amount copies as digits.
    assert f'data-copy="{settings.VIETQR_ACCOUNT_NUMBER}"' in page
    assert f'data-copy="{vietqr_order.total_vnd}"' in page
    assert f'data-copy="{vietqr_order.number}"' in page
    saved = client.get(image, {"t": vietqr_order.access_token})
    assert f"VietQR-{vietqr_order.number}.png" in saved["Content-Disposition"]
