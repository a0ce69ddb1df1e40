"""The farmer's phone pages at `/nong-dan/`: thin views over selectors
(reads) and the same services the admin uses (writes). Every view is
`farmer_required` and reaches rows only through `own_seller_ids`, so
another seller's id is a 404."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from market import places
from market.checkout.models import ShipmentStatus
from market.checkout.services import InvalidTransition
from market.staff.stock import PER_PAGE, StockRowForm, save_stock_rows
from traceability import qr
from traceability.models import DiaryKind, InputType, LabelRunStatus, LotStatus
from traceability.selectors_scan import DIARY_PHOTO_SPEC
from traceability.services.farms import diary_entry_add, pesticide_harvest_from
from traceability.services.labels import label_run_create
from traceability.services.links import lot_link
from traceability.services.lots import lot_code_suggest, lot_create
from traceability.services.packing import shipment_pack
from traceability.staff.diary import _store_photo
from traceability.tasks_scan import scan_photo_prepare_task

from . import selectors
from .access import farmer_required, own_seller_ids
from .forms import (
    FarmerDiaryForm,
    FarmerLoginForm,
    HarvestForm,
    LabelPrintForm,
    PackForm,
)


class LoginView(auth_views.LoginView):
    template_name = "farmer/login.html"
    authentication_form = FarmerLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("farmer:today")


def _add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form (field or top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


@farmer_required
def today(request):
    ids = own_seller_ids(request)
    to_pack = selectors.shipments_to_pack(ids)
    return render(
        request,
        "farmer/today.html",
        {
            "to_pack": list(to_pack[:5]),
            "to_pack_count": to_pack.count(),
            "low_stock": selectors.low_stock(ids),
            "certificates": selectors.certificates_expiring(ids),
            "scans": selectors.scan_news(ids),
            "waiting": selectors.farms_waiting_to_harvest(ids),
            "today": timezone.localdate(),
            "nav": "today",
        },
    )


@farmer_required
def orders(request):
    ids = own_seller_ids(request)
    recent = (
        selectors.shipments_of(ids)
        .exclude(status=ShipmentStatus.TO_PACK)
        .exclude(status=ShipmentStatus.AWAITING_PAYMENT)
        .order_by("-created_at", "-pk")[:20]
    )
    return render(
        request,
        "farmer/orders.html",
        {
            "to_pack": list(selectors.shipments_to_pack(ids)[:100]),
            "recent": list(recent),
            "nav": "orders",
        },
    )


@farmer_required
def order_detail(request, shipment_id: int):
    ids = own_seller_ids(request)
    shipment = selectors.shipment_with_lines(seller_ids=ids, shipment_id=shipment_id)
    if shipment is None:
        raise Http404
    form = None
    if shipment.status == ShipmentStatus.TO_PACK:
        lots = selectors.packable_lots(shipment=shipment)
        form = PackForm(request.POST or None, shipment=shipment, lots=lots)
        if request.method == "POST" and form.is_valid():
            try:
                shipment_pack(
                    shipment=shipment,
                    allocations=form.allocations(),
                    actor=request.user,
                )
            except (ValidationError, InvalidTransition) as error:
                form.add_error(None, getattr(error, "messages", [str(error)]))
            else:
                messages.success(
                    request,
                    _("Đã đóng gói đơn %(number)s. Bưu điện sẽ đến lấy hàng.")
                    % {"number": shipment.order.number},
                )
                return redirect("farmer:orders")
    elif request.method == "POST":
        messages.info(request, _("Đơn này không còn ở bước đóng gói."))
        return redirect("farmer:order", shipment.pk)
    order = shipment.order
    return render(
        request,
        "farmer/order.html",
        {
            "shipment": shipment,
            "order": order,
            "place": places.place_names(
                province_code=order.province_code, ward_code=order.ward_code
            ),
            "form": form,
            "nav": "orders",
        },
    )


@farmer_required
def stock(request):
    ids = own_seller_ids(request)
    variants = selectors.variants_of(ids).select_related("stock")
    page = Paginator(variants, PER_PAGE).get_page(request.GET.get("trang"))
    if request.method != "POST":
        rows = [StockRowForm(variant=variant) for variant in page]
        return render(
            request, "farmer/stock.html", {"rows": rows, "page": page, "nav": "stock"}
        )
    rows = [StockRowForm(request.POST, variant=variant) for variant in page]
    saved = save_stock_rows(rows)
    if not any(row.errors for row in rows):
        if saved:
            messages.success(
                request, _("Đã lưu số hàng của %(n)s loại.") % {"n": saved}
            )
        else:
            messages.info(request, _("Không có số nào thay đổi."))
        return redirect(request.get_full_path())
    messages.error(
        request, _("Có dòng chưa lưu được (lời nhắc ở dòng đó). Hãy sửa rồi bấm Lưu.")
    )
    return render(
        request, "farmer/stock.html", {"rows": rows, "page": page, "nav": "stock"}
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _diary_saved_message(entry) -> str:
    if entry.kind == DiaryKind.INPUT and entry.input_type == InputType.PESTICIDE:
        if entry.pre_harvest_days:
            return _(
                "Đã ghi vào nhật ký. Thuốc %(product)s: chờ %(days)s ngày, "
                "chỉ thu hoạch từ ngày %(day)s."
            ) % {
                "product": entry.input_product,
                "days": entry.pre_harvest_days,
                "day": pesticide_harvest_from(entry).strftime("%d/%m/%Y"),
            }
    return _("Đã ghi vào nhật ký.")


def _diary_save(request, form):
    data = form.cleaned_data
    # A resend of an entry already recorded brings its photo again: keep
    # the first one, do not store a second image nobody points at.
    resent = selectors.diary_entry_known(client_id=data.get("client_id"))
    photo = (
        _store_photo(data["photo"], farm=data["farm"], user=request.user)
        if data.get("photo") and not resent
        else None
    )
    entry = diary_entry_add(
        farm=data["farm"],
        kind=data["kind"],
        occurred_at=data["occurred_at"],
        recorded_by=request.user,
        note=data["note"],
        photo=photo,
        input_type=data["input_type"],
        input_product=data["input_product"],
        active_ingredient=data["active_ingredient"],
        dose=data["dose"],
        pre_harvest_days=data["pre_harvest_days"],
        client_id=data.get("client_id"),
    )
    if photo is not None and entry.photo_id == photo.pk:
        scan_photo_prepare_task.enqueue(photo.pk, DIARY_PHOTO_SPEC)
    return entry


@farmer_required
def diary(request):
    ids = own_seller_ids(request)
    form = FarmerDiaryForm(request.POST or None, request.FILES or None, seller_ids=ids)
    if request.method == "POST":
        entry = None
        if form.is_valid():
            try:
                entry = _diary_save(request, form)
            except ValidationError as error:
                _add_errors(form, error)
        if _wants_json(request):
            # The offline queue (farmer/offline.js) sending what it kept.
            if entry is None:
                errors = [str(e) for errs in form.errors.values() for e in errs]
                return JsonResponse({"ok": False, "errors": errors}, status=400)
            return JsonResponse({"ok": True, "id": entry.pk})
        if entry is not None:
            messages.success(request, _diary_saved_message(entry))
            return redirect("farmer:diary")
    response = render(
        request,
        "farmer/diary.html",
        {
            "form": form,
            "entries": selectors.diary_recent(ids),
            "waiting": selectors.farms_waiting_to_harvest(ids),
            "nav": "diary",
        },
    )
    return response


@farmer_required
def harvest(request):
    ids = own_seller_ids(request)
    form = HarvestForm(request.POST or None, seller_ids=ids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = data.get("code") or lot_code_suggest(
            variant=data["variant"], harvested_on=data["harvested_on"]
        )
        try:
            lot = lot_create(
                variant=data["variant"],
                farm=data["farm"],
                code=code,
                harvested_on=data["harvested_on"],
                packed_on=data.get("packed_on"),
                best_before=data.get("best_before"),
                quantity=data["quantity"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã tạo lô %(code)s. Bây giờ có thể in tem cho lô này.")
                % {"code": lot.code},
            )
            return redirect("farmer:labels")
    return render(
        request,
        "farmer/harvest.html",
        {
            "form": form,
            "waiting": selectors.farms_waiting_to_harvest(ids),
            "nav": "harvest",
        },
    )


@farmer_required
def labels(request):
    ids = own_seller_ids(request)
    lots = (
        selectors.lots_of(ids)
        .filter(status=LotStatus.ACTIVE)
        .order_by("-harvested_on", "-pk")[:30]
    )
    return render(
        request,
        "farmer/labels.html",
        {
            "lots": list(lots),
            "runs": selectors.label_runs_of(ids),
            "form": LabelPrintForm(),
            "nav": "labels",
        },
    )


def _only(request, *methods):
    """405 for another method, checked after the row (so someone else's id
    is a 404 whatever the method)."""
    return None if request.method in methods else HttpResponseNotAllowed(methods)


@farmer_required
def label_print(request, lot_id: int):
    ids = own_seller_ids(request)
    lot = get_object_or_404(selectors.lots_of(ids), pk=lot_id)
    if refused := _only(request, "POST"):
        return refused
    form = LabelPrintForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["count"]))
        return redirect("farmer:labels")
    try:
        run = label_run_create(
            lot=lot, count=form.cleaned_data["count"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Đang in %(count)s tem cho lô %(code)s. Tải tệp PDF khi in xong.")
            % {"count": run.count, "code": lot.code},
        )
    return redirect("farmer:labels")


@farmer_required
def label_run_pdf(request, run_id: int):
    ids = own_seller_ids(request)
    runs = selectors.label_runs_of_queryset(ids)
    run = get_object_or_404(runs, pk=run_id)
    if refused := _only(request, "GET", "HEAD"):
        return refused
    if run.status != LabelRunStatus.DONE or not run.pdf:
        raise Http404
    response = FileResponse(
        run.pdf.open("rb"),
        as_attachment=True,
        filename=f"tem-{run.lot.code}-{run.first_serial}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@farmer_required
def lot_qr_png(request, lot_id: int):
    """The lot's own QR (the code printed on every package) as a PNG to
    save or share in Zalo; no unit serial, so nothing to copy."""
    ids = own_seller_ids(request)
    lot = get_object_or_404(selectors.lots_of(ids), pk=lot_id)
    if refused := _only(request, "GET", "HEAD"):
        return refused
    response = HttpResponse(
        qr.qr_png(lot_link(lot=lot), size_px=600), content_type="image/png"
    )
    response["Content-Disposition"] = f'inline; filename="qr-lo-{lot.code}.png"'
    response["Cache-Control"] = "private, max-age=86400"
    return response


@farmer_required
def payouts(request):
    ids = own_seller_ids(request)
    page = Paginator(selectors.ledger_of(ids), 30).get_page(request.GET.get("trang"))
    return render(
        request,
        "farmer/payouts.html",
        {
            "page": page,
            "payouts": selectors.payouts_of(ids),
            "balance": selectors.balance_of(ids),
            "nav": "payouts",
        },
    )


@require_GET
@never_cache
def service_worker(request):
    """The offline diary's service worker, served from `/nong-dan/` so its
    scope is the farmer area (a file under /static/ could not claim it)."""
    body = render(
        request,
        "farmer/sw.js",
        {
            "keep": json.dumps(
                [
                    reverse("farmer:diary"),
                    static("farmer/farmer.css"),
                    static("farmer/offline.js"),
                ]
            )
        },
        content_type="application/javascript",
    )
    body["Service-Worker-Allowed"] = reverse("farmer:today")
    return body
