"""Public views of checkout: cart, checkout form, the shopper's order page.

Everything works without JavaScript: each button is a form post, and each
post redirects (post/redirect/get) so reloading never repeats an action.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cms.security import allow_payment_gateway
from market.checkout.cart import Cart
from market.checkout.clients import request_client_key
from market.checkout.forms import CartLineForm, CheckoutForm, province_from
from market.checkout.models import OrderStatus
from market.checkout.selectors import cart_summary, order_for_viewer, order_url
from market.checkout.services import (
    CartError,
    CheckoutError,
    Customer,
    LineRequest,
    ShippingAddress,
    order_payment_started,
    order_place,
)
from market.checkout.services.cart import cart_add as cart_add_service
from market.checkout.services.cart import (
    cart_clear,
    cart_set_quantity,
    line_quantity_limit,
)
from market.checkout.services.numbers import order_number_normalize
from market.payments.selectors import payment_context
from market.signals import order_notices

# The payment block of the order page: market.payments renders it.
PAYMENT_TEMPLATE = "payments/order_payment.html"
RECENT_ORDERS_KEY = "recent_orders"
REMOVED = gettext_lazy("Đã bỏ sản phẩm khỏi giỏ.")


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
@never_cache
def cart_detail(request):
    """The cart page. A post changes one line's quantity (0 or “Bỏ” removes)."""
    cart = Cart(request)
    if request.method == "POST":
        form = CartLineForm(request.POST)
        if "remove" in request.POST and request.POST.get("variant", "").isdigit():
            cart_set_quantity(
                cart=cart, variant_id=int(request.POST["variant"]), quantity=0
            )
            messages.success(request, REMOVED)
        elif form.is_valid():
            try:
                cart_set_quantity(
                    cart=cart,
                    variant_id=form.cleaned_data["variant"],
                    quantity=form.cleaned_data["quantity"],
                )
                removed = form.cleaned_data["quantity"] == 0
                messages.success(
                    request, REMOVED if removed else _("Đã cập nhật giỏ hàng.")
                )
            except CartError as error:
                messages.error(request, str(error))
        else:
            messages.error(request, _first_error(form))
        return redirect("checkout:cart")
    summary = cart_summary(cart=cart)
    context = {"summary": summary, "max_quantity": line_quantity_limit()}
    return render(request, "checkout/cart.html", context)


@require_POST
def cart_add(request):
    """Add a variant to the cart (the product page's form posts here)."""
    cart = Cart(request)
    form = CartLineForm(request.POST)
    back = _next_url(request, default="/gio-hang/")
    if not form.is_valid() or form.cleaned_data["quantity"] < 1:
        messages.error(request, _first_error(form) or _("Hãy chọn số lượng từ 1."))
        return redirect(back)
    try:
        variant = cart_add_service(
            cart=cart,
            variant_id=form.cleaned_data["variant"],
            quantity=form.cleaned_data["quantity"],
            slot_id=form.cleaned_data.get("slot"),
        )
    except CartError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request,
        _("Đã thêm %(quantity)s %(unit)s %(product)s vào giỏ hàng.")
        % {
            "quantity": form.cleaned_data["quantity"],
            "unit": variant.product.unit,
            "product": variant.product.title,
        },
    )
    return redirect(back)


def _first_error(form) -> str:
    """The first error, led by its field's label: the message shows at the
    top of the page, away from the field."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        if field is None or field.widget.is_hidden or not field.label:
            return str(errors[0])
        return f"{field.label}: {errors[0]}"
    return ""


def _initial(request) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"customer_name": user.get_full_name(), "email": user.email}


@require_http_methods(["GET", "POST"])
@never_cache
def checkout(request):
    """The checkout form. “Hiện phường / xã” (the province step; checkout.js
    does it in place) only reloads it with the wards and each seller's fee;
    “Đặt hàng” places the order if the shopper saw the same total that will be
    charged."""
    cart = Cart(request)
    if not cart:
        messages.info(request, _("Giỏ hàng đang trống. Hãy chọn sản phẩm trước."))
        return redirect("checkout:cart")
    data = request.POST if request.method == "POST" else None
    province = province_from(data or {})
    summary = cart_summary(cart=cart, province_code=province)
    placing = data is not None and data.get("action") == "place"
    if placing:
        form = CheckoutForm(data, province_code=province)
        response = _try_place(request, form, cart, summary)
        if response is not None:
            return response
    else:
        form = CheckoutForm(
            initial=(data.dict() if data is not None else _initial(request)),
            province_code=province,
            focus_ward=data is not None and data.get("action") == "quote",
        )
    return render(
        request,
        "checkout/checkout.html",
        {
            "form": form,
            "summary": summary,
            "hold_minutes": settings.ORDER_HOLD_MINUTES,
        },
    )


def _try_place(request, form, cart, summary):
    if not form.is_valid():
        return None
    if not summary.can_order:
        return None
    if request.POST.get("quoted_total") != str(summary.total_vnd):
        form.add_error(
            None,
            _(
                "Tổng tiền đã thay đổi (phí giao hoặc giá)."
                " Hãy xem lại rồi bấm Đặt hàng."
            ),
        )
        return None
    data = form.cleaned_data
    try:
        order = order_place(
            # The lines the shopper saw priced (products no longer sold drop out).
            cart_lines=[
                LineRequest(x.variant.pk, x.quantity, x.slot.pk if x.slot else None)
                for x in summary.lines
            ],
            customer=Customer(data["customer_name"], data["phone"], data["email"]),
            address=ShippingAddress(
                data["province_code"], data["ward_code"], data["address_line"]
            ),
            payment_method=data["payment_method"],
            user=request.user,
            client_key=request_client_key(request),
        )
    except CheckoutError as error:
        form.add_error(None, str(error))
        return None
    cart_clear(cart=cart)
    recent = request.session.get(RECENT_ORDERS_KEY, [])
    request.session[RECENT_ORDERS_KEY] = [order.number, *recent][:10]
    messages.success(
        request,
        _("Đã đặt đơn %(number)s. Hãy thanh toán để người bán gửi hàng.")
        % {"number": order.number},
    )
    return redirect(order_url(order))


def _status_label(status: str) -> str:
    return OrderStatus(status).label if status in OrderStatus.values else status


def _payment_block(order) -> dict:
    """Context of the payment block: market.payments owns what is shown (card
    form, VietQR, waiting messages) through PAYMENT_TEMPLATE and its
    `payment_context(order=…)`."""
    return {**payment_context(order=order), "payment_template": PAYMENT_TEMPLATE}


@require_http_methods(["GET"])
@never_cache
def order_detail(request, number: str):
    """The shopper's order: by secret link `?t=…`, or for the signed-in owner.
    Anyone else gets 404, whether or not the number exists."""
    order = order_for_viewer(
        number=order_number_normalize(number),
        token=request.GET.get("t"),
        user=request.user,
    )
    if order is None:
        raise Http404
    if order.status == OrderStatus.PENDING_PAYMENT:
        # The shopper is on the page that takes the payment.
        if order_payment_started(order_pk=order.pk):
            order.refresh_from_db(fields=["hold_until"])
    context = {
        **_payment_block(order),
        "order": order,
        # Recalls and the like, from apps market may not import (signals.py).
        "notices": order_notices(order=order),
        "events": [(e, _status_label(e.to_status)) for e in order.events.all()],
        "awaiting_payment": order.status == OrderStatus.PENDING_PAYMENT,
        "order_link": order_url(order),
    }
    response = render(request, "checkout/order.html", context)
    # The token is in the URL: keep it out of Referer headers and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    if context.get("card"):
        # The card form's script and API calls come from the gateway.
        allow_payment_gateway(response)
    return response
