"""What is sent, for each event the market knows about.

Each function gathers the plain values of one event and hands a `Message`
to `seller_notify` / `shopper_notify` under a key naming the event, so an
event is told once. Called by market's own code and receivers, and by
traceability's services (a copied code, a recall): traceability may import
market, never the other way round.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from market.models import Seller

from . import messages
from .services import seller_notify, shopper_notify


def admin_url(name: str = "", *args) -> str:
    """Absolute admin URL of a named view (the admin home when `name` is
    empty or not installed)."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    try:
        path = reverse(name or "wagtailadmin_home", args=args)
    except NoReverseMatch:
        path = reverse("wagtailadmin_home")
    return base + path


def order_paid_notify(*, order) -> int:
    """Each seller of a paid order is told what to pack (one message per
    shipment, whatever the number of payment events). Returns how many
    messages were queued."""
    count = 0
    shipments = order.shipments.select_related("seller").prefetch_related("lines")
    for shipment in shipments.order_by("pk"):
        lines = list(shipment.lines.all())
        if not lines:
            continue
        first = lines[0].product_title
        product = first if len(lines) == 1 else f"{first} +{len(lines) - 1}"
        message = messages.order_to_pack(
            order_number=order.number,
            store=shipment.seller.legal_name,
            product=product,
            items=sum(line.quantity for line in lines),
            link=admin_url("traceability_packing"),
        )
        count += len(
            seller_notify(
                seller=shipment.seller,
                message=message,
                key=f"order-paid:{shipment.pk}",
            )
        )
    return count


def certificates_expiring_notify(*, seller: Seller, items: list) -> int:
    """One message per seller per daily run for certificates expiring soon
    (each certificate is included in one run only, see
    `certifications_notify_expiring`)."""
    items = sorted(items, key=lambda c: (c.valid_until, c.pk))
    lines = "\n".join(
        "- {cert}{product}: hết hạn ngày {date}".format(
            cert=item,
            product=f" ({item.product.title})" if item.product else "",
            date=item.valid_until.strftime("%d/%m/%Y"),
        )
        for item in items
    )
    message = messages.certificates_expiring(
        store=seller.legal_name,
        count=len(items),
        first=str(items[0]),
        valid_until=items[0].valid_until.strftime("%d/%m/%Y"),
        lines=lines,
        link=admin_url(),
    )
    ids = ",".join(str(item.pk) for item in items)
    return len(
        seller_notify(seller=seller, message=message, key=f"cert-expiring:{ids}")
    )


def copied_code_notify(
    *,
    seller: Seller,
    product: str,
    lot: str,
    serial: str,
    scans: int,
    clients: int,
    link: str = "",
) -> int:
    """The seller is told once per unit code that it looks copied."""
    message = messages.copied_code(
        product=product,
        lot=lot,
        serial=serial,
        scans=scans,
        clients=clients,
        link=link or admin_url(),
    )
    return len(
        seller_notify(seller=seller, message=message, key=f"copied:{lot}:{serial}")
    )


def lot_recall_notify(
    *,
    seller: Seller,
    lot_id: int,
    product: str,
    lot: str,
    reason: str,
    shoppers: list[tuple[str, str, str]],
    link: str = "",
) -> int:
    """The seller, and each shopper of the lot (order number, phone, e-mail)
    by SMS where they left a mobile number. Shoppers without a phone are
    e-mailed by the recall service itself, with the full explanation."""
    count = len(
        seller_notify(
            seller=seller,
            message=messages.recall_seller(
                product=product,
                lot=lot,
                shoppers=len(shoppers),
                reason=reason,
                link=link or admin_url(),
            ),
            key=f"recall:{lot_id}:seller",
        )
    )
    for order_number, phone, _email in shoppers:
        if not phone:
            continue
        message = messages.recall_shopper(
            product=product,
            lot=lot,
            order_number=order_number,
            seller_phone=seller.phone,
        )
        count += len(
            shopper_notify(
                phone=phone,
                email="",
                message=message,
                key=f"recall:{lot_id}:order:{order_number}",
            )
        )
    return count


def product_review_notify(
    *, product, approved: bool, note: str = "", revision_id: int | None = None
) -> int:
    """The farmer is told that the operator published their product, or
    sent it back with a note."""
    seller = product.seller
    if seller is None:
        return 0
    if approved:
        message = messages.product_published(
            product=product.title,
            store=seller.legal_name,
            link=product.get_full_url() or settings.SITE_URL,
        )
    else:
        message = messages.product_rejected(
            product=product.title,
            store=seller.legal_name,
            note=note,
            link=admin_url("wagtailadmin_pages:edit", product.pk),
        )
    kind = "published" if approved else "rejected"
    return len(
        seller_notify(
            seller=seller,
            message=message,
            key=f"product-{kind}:{product.pk}:{revision_id or 0}",
        )
    )


__all__ = [
    "certificates_expiring_notify",
    "copied_code_notify",
    "lot_recall_notify",
    "order_paid_notify",
    "product_review_notify",
]
