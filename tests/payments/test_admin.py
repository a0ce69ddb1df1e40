"""Operator admin: flagged transfers first, statement import, operator only."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from market.payments.models import BankTransfer, TransferMatch
from market.services.sellers import operator_group_ensure
from tests.factories import OrderFactory, UserFactory


@pytest.fixture
def operator(db):
    user = UserFactory(username="op-admin")
    user.groups.add(operator_group_ensure())
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def transfer(txid, match, reviewed=False):
    return BankTransfer.objects.create(
        transaction_id=txid,
        amount_vnd=10_000,
        reference=f"ref {txid}",
        occurred_at=timezone.now(),
        source="webhook",
        match=match,
        reviewed_at=timezone.now() if reviewed else None,
    )


def test_flagged_transfers_come_first(client, operator):
    transfer("T-OK", TransferMatch.MATCHED)
    transfer("T-SHORT", TransferMatch.UNDERPAID)
    transfer("T-SEEN", TransferMatch.UNMATCHED, reviewed=True)
    client.force_login(operator)

    page = client.get(reverse("payments_banktransfer:index")).content.decode()

    assert page.index("T-SHORT") < page.index("T-OK")
    assert page.index("T-SHORT") < page.index("T-SEEN")


def test_operator_reviews_a_flagged_transfer(client, operator):
    flagged = transfer("T-OVER", TransferMatch.OVERPAID)
    client.force_login(operator)

    client.post(
        reverse("payments_banktransfer:edit", args=[flagged.pk]),
        {"review_note": "Đã chuyển trả 20.000 đ"},
    )

    flagged.refresh_from_db()
    assert flagged.reviewed_by == operator
    assert not flagged.needs_review


def test_staff_who_is_not_the_operator_sees_no_money(client, db):
    farmer = UserFactory(username="farmer-admin")
    farmer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    transfer("T-1", TransferMatch.MATCHED)
    client.force_login(farmer)

    listing = client.get(reverse("payments_banktransfer:index"))
    upload = client.get(reverse("payments_statement_import"))

    assert listing.status_code in (302, 403)
    assert upload.status_code in (302, 403)


def test_statement_upload_previews_and_confirm_records(client, operator):
    order = OrderFactory(payment_method="vietqr")
    csv = (
        "transaction_id,time,amount,reference\n"
        f"S1,2026-11-23 08:00:00,150000,{order.number}\n"
    )
    client.force_login(operator)

    preview = client.post(
        reverse("payments_statement_import"),
        {
            "file": SimpleUploadedFile(
                "sao-ke.csv", csv.encode(), content_type="text/csv"
            )
        },
    )
    assert preview.status_code == 200
    assert "S1" in preview.content.decode()
    assert not BankTransfer.objects.exists()

    client.post(reverse("payments_statement_import"), {"confirm": "1"})

    order.refresh_from_db()
    assert BankTransfer.objects.get().match == TransferMatch.MATCHED
    assert order.status == "paid"
