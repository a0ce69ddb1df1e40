"""Seller onboarding: the public application form, approval and rejection."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    WorkflowPage,
)

from market import places
from market.access import OPERATOR_GROUP_NAME
from market.models import ApplicationStatus, Seller, SellerApplication, StorePage
from market.services.sellers import (
    WORKFLOW_NAME,
    market_workflow_ensure,
    seller_application_approve,
    seller_application_reject,
    seller_provision,
)
from tests.factories import (
    DA_NANG,
    HOI_AN_WARD,
    SellerApplicationFactory,
    SellerFactory,
    UserFactory,
    market_ensure,
    operator_create,
    valid_tax_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(home_page):
    return market_ensure()


@pytest.fixture
def operator():
    return operator_create("vanhanh-test")


def form_data(**overrides):
    data = {
        "kind": "household",
        "legal_name": "Hộ kinh doanh Nước mắm Cẩm Thanh",
        "tax_code": valid_tax_code(4242),
        "contact_name": "Trần Thị Hoa",
        "phone": "0905 123 456",
        "email": "hoa@example.vn",
        "province_code": str(DA_NANG),
        "ward_code": str(HOI_AN_WARD),
        "address_line": "Thôn Võng Nhi",
        "bank_bin": "970405",
        "bank_account_number": "1234 5678 9012",
        "bank_account_name": "Tran Thi Hoa",
    }
    data.update(overrides)
    return data


# --- the public form ----------------------------------------------------------------


def test_form_page_is_vietnamese_with_a_label_for_every_field(client):
    response = client.get(reverse("seller_apply"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mở cửa hàng trên Nguồn Quê" in html
    for field in ("legal_name", "tax_code", "phone", "province_code", "ward_code"):
        assert f'for="id_{field}"' in html


def test_bad_tax_code_is_refused_with_what_to_do(client):
    response = client.post(reverse("seller_apply"), form_data(tax_code="0100233489"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mã số thuế không đúng" in html
    assert "hãy xem lại trên giấy đăng ký kinh doanh" in html
    assert not SellerApplication.objects.exists()


def test_landline_or_short_phone_is_refused(client):
    response = client.post(reverse("seller_apply"), form_data(phone="0235 386 123"))
    assert "Số điện thoại chưa đúng" in response.content.decode()
    assert not SellerApplication.objects.exists()


def test_ward_of_another_province_is_refused(client):
    ha_noi = places.find_province("Thành phố Hà Nội")
    other_ward = places.wards(ha_noi)[0][0]
    response = client.post(reverse("seller_apply"), form_data(ward_code=other_ward))
    assert response.status_code == 200
    assert not SellerApplication.objects.exists()


def test_without_javascript_choosing_a_province_lists_its_wards_and_saves_nothing(
    client,
):
    # Given a user who has filled half the form and picked a province
    data = {"legal_name": "HTX Rau Tam Đảo", "province_code": str(DA_NANG)}
    # When they press "Chọn tỉnh này"
    response = client.post(reverse("seller_apply"), {**data, "choose_province": "1"})
    html = response.content.decode()
    # Then the form comes back with what they typed and that province's wards,
    # without error messages and without saving anything
    assert 'value="HTX Rau Tam Đảo"' in html
    for code, name in places.wards(DA_NANG)[:3]:
        assert f'<option value="{code}">{name}</option>' in html
    assert "Hãy điền mục này" not in html
    assert not SellerApplication.objects.exists()


def test_ward_options_json_for_the_enhancement_script(client):
    response = client.get(reverse("seller_apply_wards"), {"province_code": DA_NANG})
    wards = response.json()["wards"]
    assert [code for code, _name in wards] == [
        code for code, _name in places.wards(DA_NANG)
    ]


def test_valid_application_is_saved_pending_and_applicant_gets_a_secret_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("seller_apply"), form_data())
    application = SellerApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "seller_application_status", args=[application.access_token]
    )
    assert application.status == ApplicationStatus.PENDING
    assert application.phone == "0905123456"
    assert application.bank_account_number == "123456789012"
    assert application.bank_account_name == "TRAN THI HOA"
    assert len(application.access_token) >= 43
    sent_to = {address for message in mail.outbox for address in message.to}
    assert {"hoa@example.vn", "operator@nguonque.vn"} <= sent_to
    applicant_mail = next(m for m in mail.outbox if "hoa@example.vn" in m.to)
    assert application.access_token in applicant_mail.body


def test_second_pending_application_for_the_same_tax_code_is_refused(client):
    client.post(reverse("seller_apply"), form_data())
    response = client.post(reverse("seller_apply"), form_data(phone="0905999888"))
    assert "đang chờ duyệt" in response.content.decode()
    assert SellerApplication.objects.count() == 1


def test_status_page_shows_pending_and_hides_the_full_account_number(client):
    application = SellerApplicationFactory(bank_account_number="9876543210")
    response = client.get(
        reverse("seller_application_status", args=[application.access_token])
    )
    html = response.content.decode()
    assert "Đang chờ duyệt" in html
    assert "9876543210" not in html
    assert "···3210" in html
    assert response["Referrer-Policy"] == "no-referrer"


def test_status_page_with_a_wrong_token_is_not_found(client):
    SellerApplicationFactory()
    response = client.get(reverse("seller_application_status", args=["x" * 43]))
    assert response.status_code == 404


# --- approval -----------------------------------------------------------------------


def test_approval_creates_seller_store_group_collection_and_login(
    market, operator, django_capture_on_commit_callbacks
):
    application = SellerApplicationFactory(phone="0905111222")

    with django_capture_on_commit_callbacks(execute=True):
        result = seller_application_approve(application=application, reviewer=operator)

    seller = result.seller
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.seller == seller
    assert seller.tax_code == application.tax_code
    # The store is live under the market
    store = StorePage.objects.get(seller=seller)
    assert store.live and store.get_parent().specific == market
    # The login is the phone number, with a one-time password that works
    user = get_user_model().objects.get(username="0905111222")
    assert result.password and user.check_password(result.password)
    assert not user.is_staff and not user.is_superuser
    assert user.has_perm("wagtailadmin.access_admin")
    assert list(user.groups.all()) == [seller.group]
    # Page permissions only on the store, add + change but never publish
    page_perms = GroupPagePermission.objects.filter(group=seller.group)
    assert {p.page_id for p in page_perms} == {store.pk}
    assert {p.permission.codename for p in page_perms} == {"add_page", "change_page"}
    # Images and documents only in the seller's own collection
    collection_perms = GroupCollectionPermission.objects.filter(group=seller.group)
    assert {p.collection_id for p in collection_perms} == {seller.collection_id}
    assert seller.collection.get_parent() == Collection.get_first_root_node()
    # The farmer is told by e-mail with the password
    farmer_mail = next(m for m in mail.outbox if application.email in m.to)
    assert result.password in farmer_mail.body
    assert "/nong-dan/" in farmer_mail.body  # the light phone pages


def test_approving_twice_creates_nothing_new(market, operator):
    application = SellerApplicationFactory()
    first = seller_application_approve(application=application, reviewer=operator)
    counts = (
        Seller.objects.count(),
        StorePage.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        get_user_model().objects.count(),
    )

    second = seller_application_approve(application=application, reviewer=operator)

    assert second.seller == first.seller and second.store == first.store
    assert second.password is None
    assert counts == (
        Seller.objects.count(),
        StorePage.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        get_user_model().objects.count(),
    )


def test_provisioning_an_existing_seller_puts_its_users_in_its_group(market):
    # Given a seller created elsewhere (the demo, the import) with a login
    seller = SellerFactory()
    user = UserFactory(username="nongdan-test")
    seller.users.add(user)
    # When it is provisioned twice
    seller_provision(seller=seller)
    store = seller_provision(seller=seller)
    seller.refresh_from_db()
    # Then the user is in exactly that seller's group, with admin access
    assert list(user.groups.all()) == [seller.group]
    assert user.has_perm("wagtailadmin.access_admin")
    assert StorePage.objects.filter(seller=seller).count() == 1
    assert store.seller == seller


def test_moderation_workflow_covers_the_market_and_is_set_up_once(market):
    market_workflow_ensure()
    workflow = market_workflow_ensure()
    assert workflow.name == WORKFLOW_NAME
    assert WorkflowPage.objects.get(page=market).workflow == workflow
    task = workflow.tasks.get().specific
    assert [group.name for group in task.groups.all()] == [OPERATOR_GROUP_NAME]
    assert workflow.tasks.count() == 1


def test_rejection_needs_a_reason_and_the_applicant_sees_it(client, operator):
    application = SellerApplicationFactory()
    with pytest.raises(Exception, match="lý do"):
        seller_application_reject(
            application=application, reviewer=operator, reason=" "
        )

    seller_application_reject(
        application=application,
        reviewer=operator,
        reason="Ảnh giấy đăng ký kinh doanh bị mờ, hãy chụp lại.",
    )

    response = client.get(
        reverse("seller_application_status", args=[application.access_token])
    )
    html = response.content.decode()
    assert "Chưa được duyệt" in html
    assert "Ảnh giấy đăng ký kinh doanh bị mờ, hãy chụp lại." in html


def test_operator_approves_in_the_admin_and_sees_the_password_once(
    client, market, operator
):
    application = SellerApplicationFactory(phone="0905333444")
    client.force_login(operator)
    url = reverse("seller_applications:inspect", args=[application.pk])

    response = client.post(url, {"action": "approve"})

    html = response.content.decode()
    assert response.status_code == 200
    user = get_user_model().objects.get(username="0905333444")
    password = html.split('class="one-time-password">')[1].split("<")[0]
    assert user.check_password(password)
    # Reloading the page never shows it again
    assert "one-time-password" not in client.get(url).content.decode()


def test_operator_rejects_in_the_admin_only_with_a_reason(client, operator):
    application = SellerApplicationFactory()
    client.force_login(operator)
    url = reverse("seller_applications:inspect", args=[application.pk])

    client.post(url, {"action": "reject", "reason": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING

    client.post(url, {"action": "reject", "reason": "Thiếu số tài khoản đúng tên."})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.rejection_reason == "Thiếu số tài khoản đúng tên."


def test_a_farmer_cannot_open_the_applications(client, market):
    application = SellerApplicationFactory()
    approved = seller_application_approve(
        application=SellerApplicationFactory(), reviewer=None
    )
    farmer = approved.seller.users.get()
    client.force_login(farmer)
    url = reverse("seller_applications:inspect", args=[application.pk])
    assert client.get(url).status_code in (302, 403)
    client.post(url, {"action": "approve"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_operator_corrects_a_sellers_payout_account_in_the_admin(
    client, market, operator
):
    seller = seller_application_approve(
        application=SellerApplicationFactory(), reviewer=operator
    ).seller
    client.force_login(operator)
    response = client.post(
        reverse("sellers:edit", args=[seller.pk]),
        {
            "legal_name": seller.legal_name,
            "phone": seller.phone,
            "email": seller.email,
            "address_line": "",
            "bank_bin": "970436",
            "bank_account_number": "0071000123456",
            "bank_account_name": "TRAN THI HOA",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    seller.refresh_from_db()
    assert (seller.bank_bin, seller.bank_account_number) == ("970436", "0071000123456")
