"""The partner portal: who may see which parcel, and what they can do."""

import pytest
import zxingcpp
from django.urls import reverse

from market.fulfilment.labels import label_image, labels_pdf
from market.fulfilment.models import ParcelStatus
from tests.factories import UserFactory, order_with_shipments, ward_of

from .pdf import pdf_page_images

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel_b(partner_b, seller_user):
    """A parcel of partner B (its seller lives in B's ward)."""
    from tests.factories import HA_NOI, SellerFactory

    seller = SellerFactory(province_code=HA_NOI, ward_code=ward_of(HA_NOI, 0))
    order = order_with_shipments(sellers=[seller])
    return order.shipments.get().parcel


def portal_urls(parcel):
    code = parcel.tracking_code
    return {
        "detail": reverse("fulfilment:parcel", args=[code]),
        "label": reverse("fulfilment:label", args=[code]),
    }


def login(client, partner):
    client.force_login(partner.staff.get())


def test_partner_sees_only_its_own_parcels_in_the_list(
    client, parcel, parcel_b, partner_a
):
    login(client, partner_a)
    page = client.get(reverse("fulfilment:parcels")).content.decode()
    assert parcel.tracking_code in page
    assert parcel_b.tracking_code not in page


def test_partner_cannot_read_label_or_update_another_partners_parcel(
    client, django_capture_on_commit_callbacks, parcel, parcel_b, partner_a
):
    login(client, partner_a)
    urls = portal_urls(parcel_b)
    assert client.get(urls["detail"]).status_code == 404
    assert client.get(urls["label"]).status_code == 404
    accept = reverse("fulfilment:accept", args=[parcel_b.tracking_code])
    assert client.post(accept).status_code == 404
    assert client.post(urls["detail"], {"status": "accepted"}).status_code == 404
    bulk = client.get(reverse("fulfilment:labels"), {"ma": [parcel_b.tracking_code]})
    assert bulk.status_code == 302  # nothing of theirs ticked: back to the list
    parcel_b.refresh_from_db()
    assert parcel_b.status == ParcelStatus.ASSIGNED


@pytest.mark.parametrize("who", ["seller", "shopper", "superuser"])
def test_sellers_shoppers_and_operators_cannot_use_the_portal(
    client, parcel, seller_user, who
):
    user = {
        "seller": seller_user,
        "shopper": UserFactory(username="nguoimua"),
        "superuser": UserFactory(username="admin2", is_superuser=True, is_staff=True),
    }[who]
    client.force_login(user)
    assert client.get(reverse("fulfilment:parcels")).status_code == 403
    assert client.get(portal_urls(parcel)["detail"]).status_code == 403
    assert client.get(portal_urls(parcel)["label"]).status_code == 403


def test_scanned_link_when_signed_out_goes_to_login_and_back(client, parcel, partner_a):
    url = portal_urls(parcel)["detail"]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("fulfilment:login"))
    staff = partner_a.staff.get()
    back = client.post(
        response["Location"],
        {"username": staff.username, "password": "mat-khau-thu-123", "next": url},
    )
    assert back.status_code == 302
    assert back["Location"] == url
    assert client.get(url).status_code == 200


def test_staff_accept_then_walk_the_parcel_with_the_form(
    client, django_capture_on_commit_callbacks, parcel, partner_a
):
    login(client, partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("fulfilment:accept", args=[parcel.tracking_code]))
        client.post(
            portal_urls(parcel)["detail"],
            {"status": "picked_up", "location": "Sóc Sơn"},
        )
    page = client.get(portal_urls(parcel)["detail"]).content.decode()
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.PICKED_UP
    assert "Đã lấy hàng" in page and "Sóc Sơn" in page
    parcel.shipment.refresh_from_db()
    assert parcel.shipment.status == "shipped"


def test_form_offers_only_allowed_next_steps_and_refuses_others(
    client, parcel, partner_a
):
    login(client, partner_a)
    response = client.post(portal_urls(parcel)["detail"], {"status": "delivered"})
    assert response.status_code == 200  # form error, nothing saved
    assert "delivered" not in [
        c for c, _ in response.context["form"].fields["status"].choices
    ]
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.ASSIGNED


def test_label_qr_decodes_to_the_parcel_page(parcel):
    image = label_image(parcel)
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes] == [
        f"http://testserver/buu-dien/kien/{parcel.tracking_code}/"
    ]


def test_label_pdf_is_a6_and_its_qr_decodes(client, parcel, partner_a):
    login(client, partner_a)
    response = client.get(portal_urls(parcel)["label"])
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_page_images(response.content)
    assert len(pages) == 1
    width_pt, height_pt, image = pages[0]
    assert (round(width_pt / 72 * 25.4), round(height_pt / 72 * 25.4)) == (105, 148)
    texts = [c.text for c in zxingcpp.read_barcodes(image)]
    assert texts == [f"http://testserver/buu-dien/kien/{parcel.tracking_code}/"]


def test_bulk_labels_print_one_page_per_ticked_parcel(
    client, partner_a, seller, parcel
):
    other = order_with_shipments(sellers=[seller]).shipments.get().parcel
    login(client, partner_a)
    response = client.get(
        reverse("fulfilment:labels"),
        {"ma": [parcel.tracking_code, other.tracking_code]},
    )
    assert response.status_code == 200
    assert len(pdf_page_images(response.content)) == 2
    assert len(labels_pdf([parcel])) > 1000


def test_list_page_query_count_does_not_grow_with_parcels(
    client, partner_a, seller, parcel, django_assert_max_num_queries
):
    login(client, partner_a)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("fulfilment:parcels"))
    for _ in range(4):
        order_with_shipments(sellers=[seller])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("fulfilment:parcels")).content.decode()
    assert page.count('name="ma"') == 5
