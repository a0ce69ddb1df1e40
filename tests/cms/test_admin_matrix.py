"""Permission matrix over every admin URL that opens one of our rows.

The test walks Django's URL resolver under /admin/ and takes every pattern
with an id in it that belongs to one of our viewsets (found from Wagtail's
viewset registry, so a view Wagtail or we add later is walked without editing
this file) or to one of our hand-written admin views (mapped below; a new
one that is not mapped fails the test). Each URL is filled in with a row of
farmer A (or partner A) and opened, by GET and POST, as:

* farmer B, who works in the admin for another seller: 404 on every view of
  a seller's row (certificates, farms, lots, label runs, shipments), the same
  answer as a row that does not exist; Wagtail's "permission denied" (a
  redirect to the dashboard) on rows only the operator sees;
* partner B, a post office's login that was also given admin access:
  permission denied or 404, never the row;
* a shopper (signed in, no admin access): sent to the login page.

405 (a POST-only or GET-only view) counts as no answer either way. As a
control, the same URLs open for the operator (no superuser) and, for the
seller's rows, for farmer A, so a 404 above is about the user, not the URL.
"""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.admin.viewsets import viewsets as wagtail_viewsets
from wagtail.admin.viewsets.model import ModelViewSet

from cms.models import SearchSynonym
from market.checkout.models import Order, Shipment, ShippingTariff
from market.fulfilment.models import (
    LedgerEntry,
    Parcel,
    Partner,
    PartnerArea,
    PartnerToken,
    TaxRate,
    WebhookDelivery,
    WebhookEndpoint,
)
from market.fulfilment.services.partners import partner_token_issue
from market.models import Certification, Seller, SellerApplication
from market.notifications.models import Delivery, NotificationPreference
from market.payments.models import BankTransfer, Payment, PaymentEvent
from market.tickets.models import Ticket, TimeSlot
from tests.factories import (
    DA_NANG,
    CertificationFactory,
    FarmFactory,
    LotFactory,
    PartnerAreaFactory,
    PartnerFactory,
    SellerApplicationFactory,
    UserFactory,
    WebhookEndpointFactory,
    market_ensure,
    operator_create,
    order_with_shipments,
    seller_with_login,
    slot_create,
    tour_create,
)
from traceability.models import Farm, LabelRun, LabelRunStatus, Lot

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "market",
    "checkout",
    "payments",
    "fulfilment",
    "notifications",
    "tickets",
    "traceability",
    "cms",
}
OUR_CODE = ("market.", "traceability.", "cms.")
# Hand-written admin views that open one row: URL name → model of the row.
HAND_WRITTEN = {
    "traceability_lot": Lot,
    "traceability_recall": Lot,
    "traceability_label_run": LabelRun,
    "traceability_label_run_retry": LabelRun,
    "traceability_label_run_download": LabelRun,
    "traceability_pack": Shipment,
    "traceability_lot_input_add": Lot,
    "traceability_lot_export_epcis": Lot,
    "traceability_lot_export_csv": Lot,
    "traceability_lot_export_page": Lot,
    "tickets_refund": Ticket,
}
# Admin URLs with an id that open no seller's or partner's row: the public
# place pages' QR plaque (Wagtail page permissions) and Wagtail's image and
# document API (collection permissions, tests/market/test_permissions.py).
NOT_OWNED_ROWS = {
    "places_plaque",
    "wagtailadmin_api:images:detail",
    "wagtailadmin_api:documents:detail",
}
# Rows a farmer owns: another farmer gets exactly 404 on each of their views.
SELLER_ROWS = {
    Certification,
    Farm,
    Lot,
    LabelRun,
    Shipment,
    Delivery,
    NotificationPreference,
    TimeSlot,
    Ticket,
}
NO_ANSWER = 405
DENIED = {302, 403, 404}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def _viewset_models() -> dict[str, type]:
    """URL namespace → model, for the model viewsets of our own apps (the
    registry is filled when the admin's URLs load; never populate it twice)."""
    get_resolver().url_patterns  # noqa: B018 (loads the URLconf)
    return {
        viewset.url_namespace: viewset.model
        for viewset in wagtail_viewsets.viewsets
        if isinstance(viewset, ModelViewSet)
        and (
            viewset.model._meta.app_label in OUR_APPS
            # our viewsets of a library's model (axes' failed sign-ins)
            or type(viewset).__module__.startswith(OUR_CODE)
        )
    }


def object_views() -> list[tuple[str, str, str, type]]:
    """(route, URL name, id argument, model) of every admin URL that opens
    one of our rows."""
    namespaces = _viewset_models()
    views, unmapped = [], []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("admin/"):
            continue
        arguments = list(pattern.pattern.regex.groupindex)
        if not arguments:
            continue
        namespace = name.rpartition(":")[0]
        model = namespaces.get(namespace) or HAND_WRITTEN.get(name)
        if model is None:
            if pattern.lookup_str.startswith(OUR_CODE) and name not in NOT_OWNED_ROWS:
                unmapped.append(name)
            continue
        assert len(arguments) == 1, f"{name} takes {arguments}: teach the matrix"
        views.append((route, name, arguments[0], model))
    assert not unmapped, f"admin views with an id missing from HAND_WRITTEN: {unmapped}"
    return views


def _admin_access(user):
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    return user


@pytest.fixture
def world(home_page):
    """Farmer A's and partner A's rows of every kind, and the people."""
    market_ensure()
    seller_a, farmer_a, _store = seller_with_login(legal_name="HTX Chè Tân Cương")
    _seller_b, farmer_b, _store_b = seller_with_login(legal_name="HTX Mắm Cửa Hội")
    partner_a = PartnerFactory(code="bc-a", name="Bưu điện A")
    PartnerAreaFactory(partner=partner_a, province_code=DA_NANG)
    endpoint = WebhookEndpointFactory(partner=partner_a)
    partner_b_staff = _admin_access(UserFactory(username="nv-buu-dien-b"))
    PartnerFactory(code="bc-b", name="Bưu điện B", staff=[partner_b_staff])
    shopper = UserFactory(username="khach-mua")

    order = order_with_shipments(sellers=[seller_a])
    Order.objects.filter(pk=order.pk).update(user=shopper)
    shipment = order.shipments.get()
    parcel = Parcel.objects.filter(shipment=shipment).first() or Parcel.objects.create(
        shipment=shipment, partner=partner_a, tracking_code="NQTEST0001", weight_g=600
    )
    farm = FarmFactory(seller=seller_a, name="Đồi chè Tân Cương")
    lot = LotFactory(farm=farm)
    run = LabelRun(
        lot=lot, first_serial=1, count=4, status=LabelRunStatus.DONE, progress=4
    )
    run.pdf.save("tem-thu.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    run.save()
    rows = {
        Seller: seller_a,
        SellerApplication: SellerApplicationFactory(legal_name="HTX Chè Tân Cương"),
        Certification: CertificationFactory(seller=seller_a, number="VG-TANCUONG"),
        Farm: farm,
        Lot: lot,
        LabelRun: run,
        Order: order,
        Shipment: shipment,
        ShippingTariff: ShippingTariff.objects.first(),
        Payment: Payment.objects.filter(order=order).first()
        or Payment.objects.create(
            order=order,
            provider="card",
            amount_vnd=order.total_vnd,
            status="succeeded",
            idempotency_key="matrix-payment",
        ),
        PaymentEvent: PaymentEvent.objects.create(
            provider="card",
            event_id="evt_matrix",
            type="payment_intent.succeeded",
            payload={"order": order.number},
        ),
        BankTransfer: BankTransfer.objects.create(
            transaction_id="FT-MATRIX",
            amount_vnd=1_000,
            reference=order.number,
            occurred_at=timezone.now(),
            source="webhook",
            order=order,
            match="underpaid",
        ),
        Partner: partner_a,
        PartnerArea: partner_a.areas.first(),
        PartnerToken: PartnerToken.objects.get(
            pk=partner_token_issue(partner=partner_a, name="máy A").token.pk
        ),
        Parcel: parcel,
        WebhookEndpoint: endpoint,
        WebhookDelivery: WebhookDelivery.objects.filter(endpoint=endpoint).first()
        or WebhookDelivery.objects.create(
            endpoint=endpoint, event_type="parcel.assigned", payload={}
        ),
        LedgerEntry: LedgerEntry.objects.filter(seller=seller_a).first()
        or LedgerEntry.objects.create(seller=seller_a, kind="adjustment", amount_vnd=1),
    }
    rows[TaxRate] = TaxRate.objects.first() or TaxRate.objects.create(
        activity=TaxRate._meta.get_field("activity").choices[0][0],
        vat_percent=1,
        pit_percent="0.5",
        valid_from=timezone.localdate(),
    )
    rows[SearchSynonym] = SearchSynonym.objects.create(terms="chè, trà")
    rows[NotificationPreference] = NotificationPreference.objects.create(
        seller=seller_a, channel="sms", phone="84905123456"
    )
    rows[Delivery] = Delivery.objects.create(
        key="matrix-delivery",
        seller=seller_a,
        recipient="84905123456",
        channel="sms",
        kind="order_to_pack",
        text="Nguon Que: don moi",
    )
    slot = slot_create(tour_create(seller_a))
    rows[TimeSlot] = slot
    rows[Ticket] = Ticket.objects.create(
        slot=slot,
        order=order,
        line=order.lines.first(),
        seller=seller_a,
        status="valid",
    )
    rows[AccessAttempt] = AccessAttempt.objects.create(
        username="0912345678",
        ip_address="203.0.113.5",
        user_agent="",
        path_info="/admin/login/",
        failures_since_start=3,
    )
    return {
        "rows": rows,
        "farmer_a": farmer_a,
        "farmer_b": farmer_b,
        "partner_b": partner_b_staff,
        "shopper": shopper,
        "operator": operator_create("vanhanh-matrix"),
    }


def _urls(world) -> list[tuple[str, str, type]]:
    urls = []
    for _route, name, argument, model in object_views():
        row = world["rows"].get(model)
        assert row is not None, f"the matrix has no row of {model.__name__} ({name})"
        urls.append((name, reverse(name, kwargs={argument: row.pk}), model))
    return urls


def _answers(client, url) -> set[int]:
    return {client.get(url).status_code, client.post(url, {}).status_code} - {NO_ANSWER}


def test_the_matrix_walks_every_object_view_of_our_admin():
    views = object_views()
    names = {name for _route, name, _argument, _model in views}
    # The views the attack review found leaking are among them…
    assert {"traceability_farms:history", "traceability_farms:usage"} <= names
    assert "traceability_lots:history" in names
    # …and every model viewset of ours is walked with its object views.
    assert {model for *_rest, model in views} >= {
        Certification,
        Farm,
        Lot,
        Shipment,
        Order,
        Parcel,
        Partner,
        Payment,
        TimeSlot,
        Ticket,
    }
    # 120 when this test was written; fewer means views stopped being found.
    assert len(views) >= 100


@pytest.mark.parametrize("intruder", ["farmer_b", "partner_b", "shopper"])
def test_nobody_else_opens_farmer_or_partner_as_rows(client, world, intruder):
    client.force_login(world[intruder])
    leaks = {}
    for name, url, model in _urls(world):
        answers = _answers(client, url)
        if intruder == "farmer_b" and model in SELLER_ROWS:
            expected = {404}
        elif intruder == "shopper":
            expected = {302}
        else:
            expected = DENIED
        if not answers or not answers <= expected:
            leaks[name] = sorted(answers)
        if intruder == "shopper":
            response = client.get(url)
            if response.status_code == 302:
                assert re.search(r"/admin/login/", response["Location"]), name
    assert leaks == {}
    for model, row in world["rows"].items():
        assert model.objects.filter(pk=row.pk).exists(), f"{model.__name__} deleted"


def test_the_operator_and_farmer_a_open_the_same_urls(client, world):
    """The control: every walked URL points at a real row."""
    not_found = {}
    client.force_login(world["operator"])
    for name, url, _model in _urls(world):
        status = client.get(url).status_code
        if status == 404 or status >= 500:
            not_found[name] = status
    client.force_login(world["farmer_a"])
    for name, url, model in _urls(world):
        if model not in SELLER_ROWS:
            continue
        status = client.get(url).status_code
        if status == 404 or status >= 500:
            not_found[f"farmer A {name}"] = status
    assert not_found == {}
