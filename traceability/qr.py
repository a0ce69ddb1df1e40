"""QR images (PNG, SVG, Pillow) for Digital Link URIs, error correction M.

Pure code over `qrcode` 8 and Pillow: no Django imports.
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathImage

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
# A label run draws thousands of codes: choosing the best of the 8 masks costs
# ~5x the encoding itself, and any mask is a valid code for every reader.
BULK_MASK_PATTERN = 2


def qr_code(data: str, *, bulk: bool = False) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        border=QUIET_ZONE,
        mask_pattern=BULK_MASK_PATTERN if bulk else None,
    )
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_image(data: str, *, size_px: int, bulk: bool = False) -> Image.Image:
    """A 1-bit image of the code with its quiet zone, about `size_px` wide.

    The width is rounded down to a whole number of pixels per module, so
    every module has the same size (readers dislike uneven modules).
    """
    matrix = qr_code(data, bulk=bulk).get_matrix()
    modules = len(matrix)
    # Mode "1": 0 is black. One byte per pixel in mode "L", then convert.
    raw = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = Image.frombytes("L", (modules, modules), raw)
    scale = max(1, size_px // modules)
    return small.resize((modules * scale, modules * scale), Image.NEAREST).convert("1")


def qr_png(data: str, *, size_px: int = 330) -> bytes:
    buffer = io.BytesIO()
    qr_image(data, size_px=size_px).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """A scalable SVG (one path), sized in millimetres by qrcode's factory."""
    image = qr_code(data).make_image(image_factory=SvgPathImage)
    return image.to_string(encoding="unicode").encode()
