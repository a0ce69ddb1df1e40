"""Read back the PDFs Pillow writes (one JPEG image per page): page sizes
in points and the page images, so tests can decode the printed QR."""

from __future__ import annotations

import io
import re

from PIL import Image

_MEDIABOX = re.compile(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]")
_JPEG = re.compile(rb"stream\r?\n(\xff\xd8.*?\xff\xd9)\r?\nendstream", re.S)


def pdf_page_images(content: bytes) -> list[tuple[float, float, Image.Image]]:
    assert content.startswith(b"%PDF-")
    boxes = [(float(w), float(h)) for w, h in _MEDIABOX.findall(content)]
    images = [Image.open(io.BytesIO(raw)) for raw in _JPEG.findall(content)]
    assert len(boxes) == len(images), "one image per page expected"
    return [(w, h, img) for (w, h), img in zip(boxes, images, strict=True)]
