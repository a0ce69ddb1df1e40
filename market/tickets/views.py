"""The e-ticket page (public, by signed link) and the check-in page (staff).

`check_in` is a plain view: the admin mounts it at /admin/ve/soat-ve/
(`wagtail_hooks.py`), and the farmers' area can mount the same view under
/nong-dan/ with its own URL; it asks `market.access` who may use it, so it
does not depend on where it is mounted.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from market.access import sellers_of, user_is_operator
from market.payments import gateway
from traceability.qr import qr_svg

from .codes import TicketCode, ticket_signature_holds
from .selectors import ticket_for_page, ticket_view, tickets_for_user
from .services import TicketRefundRefused, ticket_check_in, ticket_refund


@require_http_methods(["GET"])
@never_cache
def ticket_detail(request, ticket_id: int, signature: str):
    """One e-ticket: what, when, for whom, its QR. Only the signed link opens
    it (a wrong signature is a 404, like a ticket that does not exist)."""
    if not ticket_signature_holds(code=TicketCode(ticket_id, signature)):
        raise Http404
    ticket = ticket_for_page(ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    view = ticket_view(ticket=ticket)
    # qr_svg draws only the link we built: nothing from the request.
    qr = mark_safe(qr_svg(view.url).decode())  # noqa: S308
    response = render(
        request, "tickets/ticket.html", {"view": view, "ticket": ticket, "qr": qr}
    )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
@never_cache
def check_in(request, template_name: str = "tickets/check_in.html"):
    """Seller staff (and the operator) check tickets in: scan with the camera
    (check_in.js, where the browser has BarcodeDetector) or type the code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not sellers_of(request.user).exists():
        raise PermissionDenied
    result = None
    if request.method == "POST":
        result = ticket_check_in(code=request.POST.get("code", ""), user=request.user)
    return render(request, template_name, {"result": result})


@require_http_methods(["GET", "POST"])
@never_cache
def ticket_refund_view(request, ticket_id: int):
    """The operator refunds one ticket before its slot (admin). A ticket the
    user may not see is a 404; seeing it without being the operator, 403."""
    ticket = tickets_for_user(user=request.user).filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404
    if not user_is_operator(request.user):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            ticket_refund(ticket=ticket, actor=request.user)
        except (TicketRefundRefused, gateway.GatewayError) as exc:
            error = getattr(exc, "message", "") or str(exc)
        else:
            messages.success(
                request,
                _("Đã hoàn tiền vé V%(number)s; chỗ đã được mở bán lại.")
                % {"number": ticket.pk},
            )
            return redirect("tickets_refund", ticket_id=ticket.pk)
    ticket = ticket_for_page(ticket_id=ticket.pk) or ticket
    return render(request, "tickets/refund.html", {"ticket": ticket, "error": error})
