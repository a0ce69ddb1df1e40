"""The printable QR plaque of a place: one A5 page (148 × 210 mm) with the
place's name, a QR code that opens its page and the address in words.

Drawn with Pillow (the label sheets' fonts and text layout) and saved as a
PDF at 300 dpi; no Django imports.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from traceability.labels import FONT_BOLD, FONT_REGULAR, font, text_lines
from traceability.qr import qr_image

DPI = 300
A5_PX = (round(148 / 25.4 * DPI), round(210 / 25.4 * DPI))  # 1748 × 2480
MARGIN = round(12 / 25.4 * DPI)
QR_PX = round(90 / 25.4 * DPI)  # a 90 mm code reads from a few metres away


def plaque_pdf(*, title: str, subtitle: str, url: str, call_to_action: str) -> bytes:
    """The plaque as PDF bytes. `url` is what the code holds."""
    width, height = A5_PX
    page = Image.new("1", A5_PX, 1)
    draw = ImageDraw.Draw(page)
    inner = width - 2 * MARGIN
    y = MARGIN
    bold = font(FONT_BOLD, 96)
    for line in text_lines(draw, title, bold, inner, max_lines=3):
        draw.text((MARGIN, y), line, font=bold, fill=0)
        y += 120
    regular = font(FONT_REGULAR, 54)
    for line in text_lines(draw, subtitle, regular, inner, max_lines=2):
        draw.text((MARGIN, y), line, font=regular, fill=0)
        y += 70
    code = qr_image(url, size_px=QR_PX)
    top = max(y + 60, (height - code.height) // 2)
    page.paste(code, ((width - code.width) // 2, top))
    y = top + code.height + 40
    for line in text_lines(draw, call_to_action, regular, inner, max_lines=2):
        draw.text((MARGIN, y), line, font=regular, fill=0)
        y += 70
    small = font(FONT_REGULAR, 40)
    for line in text_lines(draw, url, small, inner, max_lines=2):
        draw.text((MARGIN, y + 20), line, font=small, fill=0)
        y += 52
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=DPI)
    return buffer.getvalue()
