"""A6 shipping labels: one page per parcel, drawn with Pillow and saved as
PDF. The same `label_image` feeds the PDF and tests (which decode its QR).

Text uses DejaVu Sans (Debian `fonts-dejavu-core`, installed by
`make system-deps`), which has every Vietnamese glyph.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import qrcode
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from .models import Parcel

DPI = 200
A6_MM = (105, 148)
PAGE = tuple(round(mm / 25.4 * DPI) for mm in A6_MM)  # 827 x 1165 px
MARGIN = round(5 / 25.4 * DPI)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class LabelFontMissing(RuntimeError):
    pass


@cache
def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.exists():
        raise LabelFontMissing(
            "Cần phông DejaVu (gói fonts-dejavu-core, `make system-deps`) để in tem."
        )
    return ImageFont.truetype(str(path), size)


def parcel_tracking_url(parcel: Parcel) -> str:
    """What the label's QR holds: the portal page of the parcel."""
    return f"{settings.SITE_URL}/buu-dien/kien/{parcel.tracking_code}/"


def _qr(data: str, size_px: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    modules = code.modules_count + 8
    scale = max(size_px // modules, 1)
    image = code.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("L").resize((modules * scale,) * 2, Image.NEAREST)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def party_address(party) -> str:
    parts = [party.address_line, party.ward_name, party.province_name]
    return ", ".join(part for part in parts if part)


class _Pen:
    """Writes blocks of text down the page."""

    def __init__(self, draw: ImageDraw.ImageDraw, top: int):
        self.draw = draw
        self.y = top
        self.width = PAGE[0] - 2 * MARGIN

    def text(self, text: str, *, size: int = 30, bold: bool = False, gap: int = 6):
        font = _font(size, bold=bold)
        for line in _wrap(self.draw, text, font, self.width):
            self.draw.text((MARGIN, self.y), line, font=font, fill=0)
            self.y += size + gap

    def rule(self):
        self.y += 8
        self.draw.line((MARGIN, self.y, PAGE[0] - MARGIN, self.y), fill=0, width=3)
        self.y += 14


def label_image(parcel: Parcel) -> Image.Image:
    """One A6 label (greyscale, DPI dots per inch)."""
    shipment = parcel.shipment
    order, seller = shipment.order, shipment.seller
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    pen = _Pen(draw, MARGIN)
    pen.text(f"Nguồn Quê · {parcel.partner.name}", size=26)
    pen.text(parcel.tracking_code, size=64, bold=True)
    pen.rule()
    pen.text(_("NGƯỜI GỬI"), size=24, bold=True)
    pen.text(f"{seller.legal_name} · {seller.phone}", size=28)
    pen.text(party_address(seller), size=26)
    pen.rule()
    pen.text(_("NGƯỜI NHẬN"), size=24, bold=True)
    pen.text(order.customer_name, size=40, bold=True)
    pen.text(_("ĐT: %(phone)s") % {"phone": order.phone}, size=40, bold=True)
    pen.text(party_address(order), size=32)
    pen.rule()
    pen.text(_("Mã đơn: %(number)s") % {"number": order.number}, size=32, bold=True)
    weight = f"{parcel.weight_g:,}".replace(",", ".")
    pen.text(_("Khối lượng: %(weight)s g") % {"weight": weight}, size=32)
    created = timezone.localtime(parcel.created_at)
    pen.text(_("Ngày gửi: %(day)s") % {"day": f"{created:%d/%m/%Y}"}, size=26)
    qr_size = min(PAGE[0] - 2 * MARGIN, PAGE[1] - MARGIN - pen.y - 40, 420)
    qr = _qr(parcel_tracking_url(parcel), max(qr_size, 240))
    page.paste(qr, ((PAGE[0] - qr.width) // 2, PAGE[1] - MARGIN - 34 - qr.height))
    hint = _("Quét để cập nhật trạng thái kiện")
    font = _font(22)
    draw.text(
        ((PAGE[0] - draw.textlength(hint, font=font)) // 2, PAGE[1] - MARGIN - 28),
        hint,
        font=font,
        fill=0,
    )
    return page


def labels_pdf(parcels: Iterable[Parcel]) -> bytes:
    """A PDF with one A6 page per parcel, in the order given.

    Pages are 1-bit (what thermal label printers print anyway), which Pillow
    stores as CCITT G4: lossless and about 20 times smaller than greyscale
    JPEG pages."""
    pages = [
        label_image(parcel).convert("1", dither=Image.Dither.NONE) for parcel in parcels
    ]
    if not pages:
        raise ValueError("no parcels to print")
    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=DPI,
        title="Tem gửi hàng Nguồn Quê",
    )
    return buffer.getvalue()
