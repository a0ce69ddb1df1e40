"""The words of every notification, for each channel.

One function per kind of message; each takes plain values (names, codes,
dates as text) and returns a `Message`: the e-mail's subject and body, the
SMS text that fits one SMS (see `sms.py`), and the Zalo ZNS template data
(parameter names documented in docs/notifications.md, values capped at the
lengths ZNS allows for their parameter type).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from .sms import SmsText, shorten, sms_fit

# ZNS parameter types and their maximum lengths (Zalo's template rules):
# a name 30, a code 30, a product or brand 200, a custom label 30.
ZNS_NAME, ZNS_CODE, ZNS_PRODUCT, ZNS_LABEL = 30, 30, 200, 30


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    body: str
    sms: SmsText
    zalo: dict[str, str]


def _zalo(**params: tuple[object, int]) -> dict[str, str]:
    return {
        key: shorten(str(value), max_length=limit)
        for key, (value, limit) in params.items()
    }


def _vi(build):
    def wrapper(**kwargs) -> Message:
        with translation.override("vi"):
            return build(**kwargs)

    wrapper.__name__ = build.__name__
    wrapper.__doc__ = build.__doc__
    return wrapper


@_vi
def order_to_pack(
    *, order_number: str, store: str, product: str, items: int, link: str
) -> Message:
    """A paid order the seller must pack and send."""
    values = {"order": order_number, "store": store, "product": product}
    values["items"] = str(items)
    sms = sms_fit(
        _(
            "Nguồn Quê: đơn mới {order} của {store}: {items} món, {product}. "
            "Hãy đóng gói và gửi đi."
        ),
        values,
        shrinkable=("store", "product"),
    )
    body = _(
        "Đơn hàng {order} đã được thanh toán. {store} cần đóng gói {items} món "
        "({product}) và giao cho bưu điện.\n\nXem đơn và in phiếu tại:\n{link}\n"
    ).format(**values, link=link)
    return Message(
        kind="order_to_pack",
        subject=_("Đơn mới cần đóng gói: {order}").format(order=order_number),
        body=body,
        sms=sms,
        zalo=_zalo(
            order_code=(order_number, ZNS_CODE),
            store_name=(store, ZNS_NAME),
            product_name=(product, ZNS_PRODUCT),
            quantity=(items, ZNS_LABEL),
        ),
    )


@_vi
def certificates_expiring(
    *, store: str, count: int, first: str, valid_until: str, lines: str, link: str
) -> Message:
    """Approved certificates that expire within 30 days (`valid_until` is the
    soonest end date, dd/mm/yyyy)."""
    values = {"store": store, "count": str(count), "date": valid_until}
    sms = sms_fit(
        _(
            "Nguồn Quê: {count} giấy chứng nhận của {store} hết hạn từ ngày "
            "{date}. Hãy xin cấp lại và tải giấy mới lên."
        ),
        values,
        shrinkable=("store",),
    )
    body = _(
        "Chào {store},\n\nCác giấy chứng nhận sau sắp hết hạn. Khi hết hạn, huy "
        "hiệu trên trang sản phẩm sẽ báo “đã hết hạn”. Hãy xin cấp lại và tải giấy "
        "mới lên trang quản lý cửa hàng ({link}).\n\n{lines}\n"
    ).format(store=store, link=link, lines=lines)
    return Message(
        kind="certificate_expiring",
        subject=_("Giấy chứng nhận sắp hết hạn"),
        body=body,
        sms=sms,
        zalo=_zalo(
            store_name=(store, ZNS_NAME),
            certificate=(first, ZNS_LABEL),
            count=(count, ZNS_LABEL),
            expiry_date=(valid_until, ZNS_LABEL),
        ),
    )


@_vi
def copied_code(
    *, product: str, lot: str, serial: str, scans: int, clients: int, link: str
) -> Message:
    """A unit code scanned too often or from too many phones: a copied label."""
    values = {"product": product, "lot": lot, "serial": serial}
    values |= {"scans": str(scans), "clients": str(clients)}
    sms = sms_fit(
        _(
            "Nguồn Quê: mã {serial} của {product} (lô {lot}) bị quét {scans} lần "
            "từ {clients} máy, có thể bị sao chép. Hãy xem mục Lượt quét."
        ),
        values,
        shrinkable=("product",),
    )
    body = _(
        "Mã QR {serial} của {product} (lô {lot}) đã bị quét {scans} lần từ "
        "{clients} điện thoại khác nhau. Một nhãn thật chỉ được quét vài lần, nên "
        "có thể nhãn này đã bị sao chép.\n\nHãy kiểm tra hàng đang bán và xem lượt "
        "quét tại:\n{link}\n"
    ).format(**values, link=link)
    return Message(
        kind="copied_code",
        subject=_("Cảnh báo: mã QR {serial} có thể bị sao chép").format(serial=serial),
        body=body,
        sms=sms,
        zalo=_zalo(
            product_name=(product, ZNS_PRODUCT),
            lot_code=(lot, ZNS_CODE),
            serial=(serial, ZNS_CODE),
            scans=(scans, ZNS_LABEL),
        ),
    )


@_vi
def recall_seller(
    *, product: str, lot: str, shoppers: int, reason: str, link: str
) -> Message:
    """A lot of the seller's was recalled: stop selling it, help the shoppers."""
    values = {"product": product, "lot": lot, "shoppers": str(shoppers)}
    sms = sms_fit(
        _(
            "Nguồn Quê: lô {lot} của {product} đã bị thu hồi. Ngừng bán lô này; "
            "{shoppers} khách đã mua được báo tin."
        ),
        values,
        shrinkable=("product",),
    )
    body = _(
        "Lô {lot} của {product} đã bị thu hồi.\nLý do: {reason}\n\nHãy ngừng bán "
        "hàng của lô này. {shoppers} khách đã mua được báo tin và sẽ liên hệ để đổi "
        "hàng hoặc nhận lại tiền.\n\nXem lô hàng tại:\n{link}\n"
    ).format(**values, reason=reason, link=link)
    return Message(
        kind="recall",
        subject=_("Thu hồi lô {lot}: {product}").format(lot=lot, product=product),
        body=body,
        sms=sms,
        zalo=_zalo(
            product_name=(product, ZNS_PRODUCT),
            lot_code=(lot, ZNS_CODE),
            shoppers=(shoppers, ZNS_LABEL),
        ),
    )


@_vi
def recall_shopper(
    *, product: str, lot: str, order_number: str, seller_phone: str
) -> Message:
    """A shopper who left a phone bought from a recalled lot."""
    values = {"product": product, "lot": lot, "order": order_number}
    values["phone"] = seller_phone
    sms = sms_fit(
        _(
            "Nguồn Quê: THU HỒI {product}, lô {lot} (đơn {order}). Đừng dùng. "
            "Người bán sẽ đổi hàng hoặc trả tiền, gọi {phone}."
        ),
        values,
        shrinkable=("product",),
    )
    body = _(
        "Đơn {order} có {product} thuộc lô {lot}, lô này đã bị thu hồi. Xin đừng "
        "dùng sản phẩm này. Người bán sẽ đổi hàng hoặc trả lại tiền; hãy gọi "
        "{phone}.\n"
    ).format(**values)
    return Message(
        kind="recall",
        subject=_("Thu hồi sản phẩm: {product} (lô {lot})").format(
            product=product, lot=lot
        ),
        body=body,
        sms=sms,
        zalo=_zalo(
            product_name=(product, ZNS_PRODUCT),
            lot_code=(lot, ZNS_CODE),
            order_code=(order_number, ZNS_CODE),
            phone=(seller_phone, ZNS_LABEL),
        ),
    )


@_vi
def product_published(*, product: str, store: str, link: str) -> Message:
    """The operator approved the farmer's product: it is on the market."""
    values = {"product": product, "store": store}
    sms = sms_fit(
        _("Nguồn Quê: sản phẩm {product} của {store} đã được duyệt và đang bán."),
        values,
        shrinkable=("product", "store"),
    )
    body = _(
        "Ban quản lý chợ đã duyệt {product}. Sản phẩm đã hiện trên chợ, người mua "
        "xem và đặt được ngay:\n{link}\n"
    ).format(product=product, link=link)
    return Message(
        kind="product_published",
        subject=_("Sản phẩm đã được đăng: {product}").format(product=product),
        body=body,
        sms=sms,
        zalo=_zalo(product_name=(product, ZNS_PRODUCT), store_name=(store, ZNS_NAME)),
    )


@_vi
def product_rejected(*, product: str, store: str, note: str, link: str) -> Message:
    """The operator sent the product back: what to fix is in the note."""
    values = {"product": product, "store": store}
    sms = sms_fit(
        _(
            "Nguồn Quê: sản phẩm {product} của {store} chưa được duyệt. Xem ghi "
            "chú và sửa trong trang quản lý."
        ),
        values,
        shrinkable=("product", "store"),
    )
    body = _(
        "Ban quản lý chợ chưa duyệt {product}.\nGhi chú: {note}\n\nHãy sửa rồi "
        "gửi duyệt lại tại:\n{link}\n"
    ).format(product=product, note=note or "—", link=link)
    return Message(
        kind="product_rejected",
        subject=_("Sản phẩm chưa được duyệt: {product}").format(product=product),
        body=body,
        sms=sms,
        zalo=_zalo(product_name=(product, ZNS_PRODUCT), store_name=(store, ZNS_NAME)),
    )
