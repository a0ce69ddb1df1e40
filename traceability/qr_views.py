"""QR images of lots at `/truy-xuat/lo/<id>/qr.png` and `.svg`.

Open data: anyone may fetch the lot's own code (it is printed on every
package). `?serial=` asks for one unit's code, which would let anyone print
genuine-looking labels, so only staff of the lot's seller (or the operator)
get it, and only for a serial that has been issued.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from traceability import digital_link, qr
from traceability.models import Lot
from traceability.selectors import user_may_print
from traceability.services.links import lot_link, serial_number

FORMATS = {
    "png": ("image/png", lambda link: qr.qr_png(link, size_px=600)),
    "svg": ("image/svg+xml", qr.qr_svg),
}


@require_GET
def lot_qr(request, lot_id: int, fmt: str):
    if fmt not in FORMATS or lot_id > digital_link.MAX_LOT_ID:
        raise Http404
    lot = get_object_or_404(Lot.objects.select_related("variant", "farm"), pk=lot_id)
    serial = request.GET.get("serial") or None
    if serial is not None:
        if not user_may_print(user=request.user, lot=lot):
            raise PermissionDenied
        number = serial_number(serial)
        if number is None or number > lot.serials_issued:
            raise Http404
    content_type, draw = FORMATS[fmt]
    response = HttpResponse(draw(lot_link(lot=lot, serial=serial)), content_type)
    name = f"qr-{lot.code}{'-' + serial if serial else ''}.{fmt}"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    # The lot's code never changes; a unit code is nobody else's business.
    response["Cache-Control"] = (
        "private, no-store" if serial else "public, max-age=86400"
    )
    return response
