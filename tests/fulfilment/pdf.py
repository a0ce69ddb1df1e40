"""Read back the parcel-label PDFs: page sizes in points and the page
images (1-bit, CCITT G4), so tests can decode the printed QR."""

from __future__ import annotations

import re

from PIL import Image

from tests.traceability.pdf_pages import pdf_page_images as g4_pages

_MEDIABOX = re.compile(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]")


def pdf_page_images(content: bytes) -> list[tuple[float, float, Image.Image]]:
    assert content.startswith(b"%PDF-")
    boxes = [(float(w), float(h)) for w, h in _MEDIABOX.findall(content)]
    images = g4_pages(content)
    assert len(boxes) == len(images), "one image per page expected"
    return [(w, h, img) for (w, h), img in zip(boxes, images, strict=True)]
