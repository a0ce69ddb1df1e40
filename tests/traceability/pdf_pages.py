"""Read the page images back out of a label PDF, without a PDF renderer.

Our PDFs embed each page as one 1-bit image compressed with CCITT G4
(`/CCITTFaxDecode`, K=-1). We take that stream as it is, wrap it in a minimal
TIFF (compression 4) and let Pillow/libtiff decode it, so the test reads what
a printer would get, not the image we had in memory.
"""

from __future__ import annotations

import io
import struct

from PIL import Image, PdfParser


def _tiff_g4(data: bytes, width: int, height: int, black_is_1: bool) -> bytes:
    entries = [
        (256, 4, width),  # ImageWidth
        (257, 4, height),  # ImageLength
        (258, 3, 1),  # BitsPerSample
        (259, 3, 4),  # Compression: CCITT Group 4
        # Photometric: Pillow writes its G4 runs the other way round from what
        # BlackIs1 suggests; poppler shows black on white with this reading.
        (262, 3, 1 if black_is_1 else 0),
        (273, 4, 0),  # StripOffsets (patched below)
        (277, 3, 1),  # SamplesPerPixel
        (278, 4, height),  # RowsPerStrip
        (279, 4, len(data)),  # StripByteCounts
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = 8 + ifd_size
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    out += struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        if tag == 273:
            value = data_offset
        if kind == 3:
            out += struct.pack("<HHIHH", tag, kind, 1, value, 0)
        else:
            out += struct.pack("<HHII", tag, kind, 1, value)
    out += struct.pack("<I", 0)
    return bytes(out) + data


def pdf_page_images(source) -> list[Image.Image]:
    """The page images of the PDF at `source` (a path, or the PDF's bytes)."""
    if isinstance(source, bytes):
        pdf = PdfParser.PdfParser(buf=source)
    else:
        pdf = PdfParser.PdfParser(str(source))
    try:
        images = []
        for page_ref in pdf.pages:
            page = pdf.read_indirect(page_ref)
            xobject = page[b"Resources"][b"XObject"]
            stream = pdf.read_indirect(next(iter(xobject.values())))
            info = stream.dictionary
            params = info[b"DecodeParms"][0]
            assert info[b"Filter"] == [PdfParser.PdfName(b"CCITTFaxDecode")]
            tiff = _tiff_g4(
                bytes(stream.buf),
                info[b"Width"],
                info[b"Height"],
                bool(params.get(b"BlackIs1", False)),
            )
            image = Image.open(io.BytesIO(tiff))
            image.load()
            images.append(image)
        return images
    finally:
        pdf.close()
