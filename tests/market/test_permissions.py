"""Permission matrix: farmer A never reaches farmer B's store, products, images,
documents or certificates; farmers submit for moderation and the operator
publishes.

Wagtail answers a forbidden admin view with a redirect to the dashboard
(PermissionDenied), our scoped viewsets with 404; both count as "no".
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, WorkflowState

from market.access import OPERATOR_GROUP_NAME
from market.models import ProductPage, StorePage
from market.services.sellers import operator_group_ensure
from tests.factories import (
    CertificationFactory,
    UserFactory,
    market_ensure,
    png_bytes,
    product_in,
    seller_with_login,
)

pytestmark = pytest.mark.django_db
DENIED = {302, 403, 404}


@dataclass
class Farm:
    seller: object
    user: object
    store: StorePage
    product: ProductPage
    draft: ProductPage
    image: object
    document: object
    certification: object


def farm(name: str) -> Farm:
    seller, user, store = seller_with_login(legal_name=f"Cửa hàng {name}")
    image = get_image_model().objects.create(
        title=f"Ảnh của {name}",
        file=ImageFile(io.BytesIO(png_bytes()), name=f"{name}.png"),
        collection=seller.collection,
    )
    document = get_document_model().objects.create(
        title=f"Giấy của {name}",
        file=SimpleUploadedFile(f"{name}.pdf", b"%PDF-1.4\n%%EOF\n"),
        collection=seller.collection,
    )
    return Farm(
        seller=seller,
        user=user,
        store=store,
        product=product_in(store, title=f"Sản phẩm của {name}"),
        draft=product_in(store, title=f"Bản nháp của {name}", live=False),
        image=image,
        document=document,
        certification=CertificationFactory(seller=seller, number=f"VG-{name}"),
    )


@pytest.fixture
def farms(home_page):
    market_ensure()
    return farm("An"), farm("Bình")


def admin_urls_of(b: Farm) -> dict[str, str]:
    return {
        "explorer of B's store": reverse("wagtailadmin_explore", args=[b.store.pk]),
        "edit B's store": reverse("wagtailadmin_pages:edit", args=[b.store.pk]),
        "edit B's product": reverse("wagtailadmin_pages:edit", args=[b.product.pk]),
        "edit B's draft": reverse("wagtailadmin_pages:edit", args=[b.draft.pk]),
        "preview B's draft": reverse(
            "wagtailadmin_pages:preview_on_edit", args=[b.draft.pk]
        ),
        "add a product in B's store": reverse(
            "wagtailadmin_pages:add", args=["market", "productpage", b.store.pk]
        ),
        "B's page history": reverse("wagtailadmin_pages:history", args=[b.product.pk]),
        "edit B's image": reverse("wagtailimages:edit", args=[b.image.pk]),
        "choose B's image": reverse("wagtailimages_chooser:chosen", args=[b.image.pk]),
        "edit B's document": reverse("wagtaildocs:edit", args=[b.document.pk]),
        "choose B's document": reverse(
            "wagtaildocs_chooser:chosen", args=[b.document.pk]
        ),
        "inspect B's certificate": reverse(
            "certifications:inspect", args=[b.certification.pk]
        ),
        "edit B's certificate": reverse(
            "certifications:edit", args=[b.certification.pk]
        ),
        "delete B's certificate": reverse(
            "certifications:delete", args=[b.certification.pk]
        ),
        "history of B's certificate": reverse(
            "certifications:history", args=[b.certification.pk]
        ),
        "B's seller record": reverse("sellers:edit", args=[b.seller.pk]),
    }


def test_farmer_a_opens_none_of_farmer_bs_admin_pages(client, farms):
    a, b = farms
    client.force_login(a.user)
    reached = {}
    for label, url in admin_urls_of(b).items():
        response = client.get(url)
        if response.status_code not in DENIED:
            reached[label] = response.status_code
    assert reached == {}


def test_farmer_a_opens_the_same_pages_for_their_own_things(client, farms):
    a, _b = farms
    client.force_login(a.user)
    refused = {}
    for label, url in admin_urls_of(a).items():
        if label == "B's seller record":
            continue  # farmers do not edit their seller record (payout account)
        response = client.get(url)
        if response.status_code != 200:
            refused[label] = response.status_code
    assert refused == {}


def test_farmer_a_cannot_change_farmer_bs_things_by_post(client, farms):
    a, b = farms
    client.force_login(a.user)
    client.post(
        reverse("wagtailadmin_pages:edit", args=[b.product.pk]),
        {"title": "Đã bị sửa", "slug": b.product.slug, "action-publish": "1"},
    )
    client.post(reverse("certifications:delete", args=[b.certification.pk]))
    client.post(reverse("wagtailimages:delete", args=[b.image.pk]))
    b.product.refresh_from_db()
    assert b.product.title == "Sản phẩm của Bình"
    assert type(b.certification).objects.filter(pk=b.certification.pk).exists()
    assert get_image_model().objects.filter(pk=b.image.pk).exists()


def test_listings_and_choosers_show_only_farmer_as_own_things(client, farms):
    a, b = farms
    client.force_login(a.user)
    pages = {
        "page explorer": reverse("wagtailadmin_explore", args=[a.store.pk]),
        "page search": reverse("wagtailadmin_pages:search") + "?q=Sản+phẩm",
        "image listing": reverse("wagtailimages:index"),
        "image chooser": reverse("wagtailimages_chooser:choose"),
        "document listing": reverse("wagtaildocs:index"),
        "document chooser": reverse("wagtaildocs_chooser:choose"),
        "certificate listing": reverse("certifications:index"),
    }
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, label
        if response["Content-Type"].startswith("application/json"):
            html = response.json()["html"]  # choosers answer a modal workflow
        else:
            html = response.content.decode()
        mine = {a.product.title, a.image.title, a.document.title, "VG-An"}
        theirs = {b.product.title, b.image.title, b.document.title, "VG-Bình"}
        assert any(text in html for text in mine), label
        assert not any(text in html for text in theirs), label


def test_explorer_root_takes_the_farmer_straight_to_their_store(client, farms):
    a, _b = farms
    client.force_login(a.user)
    response = client.get(reverse("wagtailadmin_explore_root"), follow=True)
    html = response.content.decode()
    assert a.store.title in html
    assert "Cửa hàng Bình" not in html


def test_farmer_can_edit_own_product_but_only_submit_it_for_moderation(client, farms):
    a, _b = farms
    client.force_login(a.user)
    product = a.draft
    edit = reverse("wagtailadmin_pages:edit", args=[product.pk])
    form = edit_form_data(product, title="Bản nháp của An, mới")

    # Publishing is not offered and a forged publish does not go live
    assert 'name="action-publish"' not in client.get(edit).content.decode()
    client.post(edit, {**form, "action-publish": "1"})
    product.refresh_from_db()
    assert not product.live

    # Submitting starts the operator's workflow
    client.post(edit, {**form, "action-submit": "1"})
    product.refresh_from_db()
    state = WorkflowState.objects.get(object_id=str(product.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert not product.live
    assert product.get_latest_revision().as_object().title == "Bản nháp của An, mới"


def test_operator_approves_the_moderation_task_and_the_product_goes_live(client, farms):
    a, _b = farms
    client.force_login(a.user)
    product = a.draft
    client.post(
        reverse("wagtailadmin_pages:edit", args=[product.pk]),
        {
            **edit_form_data(product),
            "variants-0-price_vnd": "72000",
            "action-submit": "1",
        },
    )
    state = WorkflowState.objects.get(object_id=str(product.pk))

    # Another farmer cannot approve it
    b_user = farms[1].user
    client.force_login(b_user)
    approve = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[product.pk, "approve", state.current_task_state.pk],
    )
    client.post(approve, {"comment": ""})
    product.refresh_from_db()
    assert not product.live

    # An operator (group member, not a superuser) can
    operator = UserFactory(username="vanhanh-nhom")
    operator.groups.add(operator_group_ensure())
    assert operator.groups.get().name == OPERATOR_GROUP_NAME
    client.force_login(operator)
    client.post(approve, {"comment": "Ảnh rõ, giá hợp lý."})
    product.refresh_from_db()
    assert product.live
    # The listing's price filter sees the price that was approved
    assert product.price_min == 72000


def test_public_api_shows_live_products_only(client, farms):
    a, b = farms
    try:
        url = reverse("product-list")
    except NoReverseMatch:
        pytest.skip("products API not mounted")
    names = {item["name"] for item in client.get(url).json()["results"]}
    assert {a.product.title, b.product.title} <= names
    assert not {a.draft.title, b.draft.title} & names
    detail = reverse("product-detail", args=[b.draft.pk])
    assert client.get(detail).status_code == 404


def test_certificate_scans_are_served_only_to_their_seller_and_the_operator(
    client, farms
):
    a, b = farms
    url = b.document.url
    assert client.get(url).status_code == 302  # anonymous: asked to log in
    client.force_login(a.user)
    assert client.get(url).status_code in DENIED
    client.force_login(b.user)
    assert client.get(url).status_code == 200
    operator = UserFactory(username="vanhanh-giay")
    operator.groups.add(operator_group_ensure())
    client.force_login(operator)
    assert client.get(url).status_code == 200


def test_public_cannot_preview_a_draft(client, farms):
    _a, b = farms
    assert client.get(b.draft.url or "/cho/khong-co/").status_code == 404
    response = client.get(
        reverse("wagtailadmin_pages:preview_on_edit", args=[b.draft.pk])
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def edit_form_data(product: ProductPage, **overrides) -> dict:
    """The POST a browser sends from the product edit form (inline formsets)."""
    page = Page.objects.get(pk=product.pk).specific
    variants = list(page.variants.all())
    data = {
        "title": page.title,
        "slug": page.slug,
        "category": page.category,
        "unit": page.unit,
        "description": '{"blocks":[],"entityMap":{}}',
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "8",
        "variants-TOTAL_FORMS": str(len(variants)),
        "variants-INITIAL_FORMS": str(len(variants)),
        "variants-MIN_NUM_FORMS": "1",
        "variants-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    for index, variant in enumerate(variants):
        prefix = f"variants-{index}-"
        data.update(
            {
                prefix + "id": str(variant.pk),
                prefix + "ORDER": str(index + 1),
                prefix + "label": variant.label,
                prefix + "price_vnd": str(variant.price_vnd),
                prefix + "weight_g": str(variant.weight_g),
                prefix + "sku": variant.sku,
                prefix + "gtin": variant.gtin or "",
                prefix + "is_active": "on",
            }
        )
    data.update(overrides)
    return data
