import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.factories import (
    DiaryEntryFactory,
    FarmFactory,
    LotFactory,
    SellerFactory,
    UserFactory,
    VariantFactory,
)
from traceability.models import LabelRun, LabelRunStatus, Lot, LotStatus
from traceability.services.labels import label_run_create, label_run_render

pytestmark = pytest.mark.django_db


def _farmer():
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )
    seller = SellerFactory(users=[user])
    farm = FarmFactory(seller=seller)
    lot = LotFactory(farm=farm, variant__product__seller=seller)
    return user, seller, farm, lot


@pytest.fixture
def two_farmers():
    return _farmer(), _farmer()


def test_a_farmer_lists_only_their_own_farms_and_lots(client, two_farmers):
    (user_a, _s, farm_a, lot_a), (_u, _s2, farm_b, lot_b) = two_farmers
    client.force_login(user_a)

    farms = client.get("/admin/truy-xuat/vuon/").content.decode()
    lots = client.get("/admin/truy-xuat/lo-hang/").content.decode()

    assert farm_a.name in farms
    assert farm_b.name not in farms
    assert lot_a.code in lots
    assert lot_b.code not in lots


def test_a_farmer_cannot_open_another_farmers_lot_farm_or_labels(client, two_farmers):
    (user_a, *_), (_u, _s, farm_b, lot_b) = two_farmers
    run_b = label_run_render(run=label_run_create(lot=lot_b, count=2))
    client.force_login(user_a)

    assert client.get(f"/admin/truy-xuat/lo/{lot_b.pk}/").status_code == 404
    assert client.get(f"/admin/truy-xuat/vuon/edit/{farm_b.pk}/").status_code in (
        403,
        404,
    )
    assert client.get(f"/admin/truy-xuat/tem/{run_b.pk}/").status_code == 404
    assert client.get(f"/admin/truy-xuat/tem/{run_b.pk}/tai-ve/").status_code == 404
    assert client.get(f"/truy-xuat/lo/{lot_b.pk}/qr.png?serial=1").status_code == 403


def test_a_farmer_prints_labels_and_downloads_their_own_pdf(client, two_farmers):
    (user_a, _s, _f, lot_a), _other = two_farmers
    client.force_login(user_a)

    response = client.post(
        f"/admin/truy-xuat/lo/{lot_a.pk}/", {"count": 6, "columns": 3, "rows": 4}
    )

    run = lot_a.label_runs.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/truy-xuat/tem/{run.pk}/"
    # Tests run tasks immediately but only after commit; draw it now.
    label_run_render(run=run)
    page = client.get(f"/admin/truy-xuat/tem/{run.pk}/").content.decode()
    assert f"/admin/truy-xuat/tem/{run.pk}/tai-ve/" in page
    pdf = client.get(f"/admin/truy-xuat/tem/{run.pk}/tai-ve/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    unit_qr = client.get(f"/truy-xuat/lo/{lot_a.pk}/qr.svg?serial=6")
    assert unit_qr.status_code == 200
    assert unit_qr["Content-Type"] == "image/svg+xml"


def test_a_running_label_run_page_refreshes_itself(client, two_farmers):
    (user_a, _s, _f, lot_a), _other = two_farmers
    run = label_run_create(lot=lot_a, count=3)
    client.force_login(user_a)

    page = client.get(f"/admin/truy-xuat/tem/{run.pk}/").content.decode()

    assert 'http-equiv="refresh"' in page
    assert "<progress" in page


def test_a_run_whose_worker_died_says_so_and_prints_again_with_the_same_serials(
    client, two_farmers, django_capture_on_commit_callbacks
):
    (user_a, _s, _f, lot_a), (user_b, *_) = two_farmers
    run = label_run_create(lot=lot_a, count=3)
    # A worker claimed it, drew a page, then died ten minutes ago.
    LabelRun.objects.filter(pk=run.pk).update(
        status=LabelRunStatus.RUNNING,
        progress=1,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=10),
    )
    url = f"/admin/truy-xuat/tem/{run.pk}/"
    client.force_login(user_b)
    assert client.post(url + "in-lai/").status_code == 404
    client.force_login(user_a)

    page = client.get(url).content.decode()
    assert "đã dừng giữa chừng" in page
    assert 'http-equiv="refresh"' not in page  # no endless spinner

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "in-lai/")
    assert response["Location"] == url

    run.refresh_from_db()
    assert run.status == LabelRunStatus.DONE
    assert (run.first_serial, run.count) == (1, 3)
    lot_a.refresh_from_db()
    assert lot_a.serials_issued == 3  # no new serials spent
    assert f"{url}tai-ve/" in client.get(url).content.decode()


def test_a_stalled_run_of_a_recalled_lot_is_not_printed_again(client, two_farmers):
    (user_a, _s, _f, lot_a), _other = two_farmers
    run = label_run_create(lot=lot_a, count=3)
    LabelRun.objects.filter(pk=run.pk).update(status=LabelRunStatus.FAILED)
    Lot.objects.filter(pk=lot_a.pk).update(status=LotStatus.RECALLED)
    client.force_login(user_a)

    response = client.post(f"/admin/truy-xuat/tem/{run.pk}/in-lai/", follow=True)

    assert "Lô này đã thu hồi hoặc hết hạn" in response.content.decode()
    run.refresh_from_db()
    assert run.status == LabelRunStatus.FAILED and not run.pdf


def test_a_run_still_making_progress_is_not_started_twice(client, two_farmers):
    (user_a, _s, _f, lot_a), _other = two_farmers
    run = label_run_create(lot=lot_a, count=3)
    LabelRun.objects.filter(pk=run.pk).update(
        status=LabelRunStatus.RUNNING, progress=1, heartbeat_at=timezone.now()
    )
    client.force_login(user_a)

    client.post(f"/admin/truy-xuat/tem/{run.pk}/in-lai/")

    run.refresh_from_db()
    assert (run.status, run.progress) == (LabelRunStatus.RUNNING, 1)
    assert label_run_render(run=run).status == LabelRunStatus.RUNNING


def test_the_label_pdf_is_not_under_the_public_media_folder(settings, two_farmers):
    (_u, _s, _f, lot_a), _other = two_farmers

    run = label_run_render(run=label_run_create(lot=lot_a, count=2))

    assert not run.pdf.path.startswith(str(settings.MEDIA_ROOT) + "/")


def test_anyone_may_fetch_a_lots_own_code_but_not_a_unit_code(client, two_farmers):
    (_u, _s, _f, lot_a), _other = two_farmers
    lot_a.serials_issued = 5
    lot_a.save()

    assert client.get(f"/truy-xuat/lo/{lot_a.pk}/qr.png").status_code == 200
    assert client.get(f"/truy-xuat/lo/{lot_a.pk}/qr.svg").status_code == 200
    assert client.get(f"/truy-xuat/lo/{lot_a.pk}/qr.png?serial=1").status_code == 403


def test_the_lot_form_offers_only_the_farmers_own_products_and_farms(
    client, two_farmers
):
    (user_a, _seller_a, farm_a, lot_a), (_u, _s, farm_b, lot_b) = two_farmers
    client.force_login(user_a)

    form = client.get("/admin/truy-xuat/lo-hang/new/").content.decode()

    assert f'value="{farm_a.pk}"' in form
    assert f'value="{farm_b.pk}"' not in form
    assert f'value="{lot_a.variant_id}"' in form
    assert f'value="{lot_b.variant_id}"' not in form


def test_creating_a_lot_during_a_pre_harvest_interval_shows_why(client, two_farmers):
    (user_a, seller_a, farm_a, _lot), _other = two_farmers
    variant = VariantFactory(product__seller=seller_a)
    today = timezone.localdate()
    DiaryEntryFactory(
        farm=farm_a,
        kind="input",
        input_type="pesticide",
        input_product="Regent 800WG",
        pre_harvest_days=14,
        occurred_at=timezone.now() - dt.timedelta(days=3),
    )
    client.force_login(user_a)

    response = client.post(
        "/admin/truy-xuat/lo-hang/new/",
        {
            "variant": variant.pk,
            "farm": farm_a.pk,
            "harvested_on": today.isoformat(),
            "quantity": 100,
            "code": "",
        },
    )

    assert response.status_code == 200
    assert "Chưa hết thời gian cách ly" in response.content.decode()
    assert not Lot.objects.filter(variant=variant).exists()


def test_a_farmer_creates_a_lot_with_a_code_from_the_harvest_day(client, two_farmers):
    (user_a, seller_a, farm_a, _lot), _other = two_farmers
    variant = VariantFactory(product__seller=seller_a)
    client.force_login(user_a)

    response = client.post(
        "/admin/truy-xuat/lo-hang/new/",
        {
            "variant": variant.pk,
            "farm": farm_a.pk,
            "harvested_on": "2026-10-15",
            "quantity": 100,
            "code": "",
        },
    )

    lot = Lot.objects.get(variant=variant)
    assert response.status_code == 302
    assert lot.code == "261015"
    assert lot.events.get().kind == "commissioning"


def test_the_operator_sees_every_lot(client, two_farmers, admin_user):
    (_u, _s, _f, lot_a), (_u2, _s2, _f2, lot_b) = two_farmers
    client.force_login(admin_user)

    lots = client.get("/admin/truy-xuat/lo-hang/").content.decode()

    assert lot_a.code in lots
    assert lot_b.code in lots


def test_the_lot_page_shows_the_code_and_warns_when_history_was_altered(
    client, two_farmers
):
    from traceability.models import LotEvent
    from traceability.services.events import lot_event_append

    (user_a, _s, _f, lot_a), _other = two_farmers
    for day in (1, 2):
        lot_event_append(
            lot=lot_a,
            kind="observation",
            occurred_at=timezone.now() - dt.timedelta(days=day),
            biz_step="inspecting",
        )
    client.force_login(user_a)

    intact = client.get(f"/admin/truy-xuat/lo/{lot_a.pk}/").content.decode()
    LotEvent.objects.filter(lot=lot_a, seq=1).update(biz_step="shipping")
    altered = client.get(f"/admin/truy-xuat/lo/{lot_a.pk}/").content.decode()

    assert f"/truy-xuat/lo/{lot_a.pk}/qr.png" in intact
    assert "Lịch sử còn nguyên vẹn" in intact
    assert "Lịch sử bị sửa từ sự kiện số 1" in altered


def test_date_pickers_get_iso_dates_while_typed_dates_are_day_first():
    """<input type="date"> only takes 2025-11-01; a day-first value would show
    an empty picker (Vietnamese input formats start with dd/mm/yyyy)."""
    from traceability.staff.lots import LotForm

    form = LotForm(initial={"harvested_on": dt.date(2025, 11, 1)})

    assert 'value="2025-11-01"' in str(form["harvested_on"])
