"""Label sheets: unit labels with a QR code, laid out on A4 pages, as a PDF.

Pure rendering over `qrcode` and Pillow (no Django imports): the caller
passes the texts and a function that makes the link for a serial.

How it stays fast (10 000 labels within a minute on two cores):

- everything that is the same on every label of a run (product name, lot,
  harvest date, certifications, domain) is drawn once into a template and
  pasted; only the QR code and the serial line are drawn per label;
- every QR code of a run uses one version (the one that fits the longest
  link) and a fixed mask, so `qrcode` draws the fixed patterns once and
  `qr.QrStamper` fills in the data modules per link (equal to `qrcode`'s own
  output, tested); codes are scaled to whole pixels per module with one
  `resize` (no anti-aliasing: crisp modules for the reader);
- pages are 1-bit images, which Pillow stores in the PDF as CCITT G4 (small,
  lossless), and pages are made one at a time while the PDF is written (a
  lazily rendered multi-frame image), so memory stays at one page;
- with `workers` > 1, pages are rendered in parallel processes.

Vietnamese text needs a font with its glyphs: DejaVu Sans from Debian's
`fonts-dejavu-core` (installed by `make system-deps`).
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import IO

from PIL import Image, ImageDraw, ImageFont

from traceability import qr

FONT_DIR = os.environ.get("LABEL_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = "DejaVuSans.ttf"
FONT_BOLD = "DejaVuSans-Bold.ttf"

MM_PER_INCH = 25.4
# Below this a phone camera struggles with a printed module.
MIN_MODULE_MM = 0.25


class LabelError(ValueError):
    """The labels cannot be made as asked (grid too dense, font missing)."""


@dataclass(frozen=True)
class SheetLayout:
    """A4 at 300 dpi, `columns` x `rows` labels inside the margins."""

    columns: int = 4
    rows: int = 10
    dpi: int = 300
    page_mm: tuple[float, float] = (210.0, 297.0)
    margin_mm: float = 8.0
    padding_mm: float = 1.5

    def px(self, mm: float) -> int:
        return round(mm * self.dpi / MM_PER_INCH)

    @property
    def page_px(self) -> tuple[int, int]:
        return self.px(self.page_mm[0]), self.px(self.page_mm[1])

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def cell_px(self) -> tuple[int, int]:
        width, height = self.page_px
        margin = self.px(self.margin_mm)
        return (width - 2 * margin) // self.columns, (height - 2 * margin) // self.rows

    def cell_origin(self, index: int) -> tuple[int, int]:
        margin = self.px(self.margin_mm)
        cell_w, cell_h = self.cell_px
        row, column = divmod(index, self.columns)
        return margin + column * cell_w, margin + row * cell_h


@dataclass(frozen=True)
class LabelContent:
    """What every label of a run says besides its code and serial."""

    product: str
    lot_line: str  # "Lô 261015"
    harvest_line: str  # "Thu hoạch 15/10/2026"
    domain: str  # "nguonque.vn", in plain text under the code
    certifications: Sequence[str] = field(default_factory=tuple)
    serial_prefix: str = "Số "


@cache
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = os.path.join(FONT_DIR, name)
    if not os.path.exists(path):
        raise LabelError(
            f"Font {path} is missing: install Debian's fonts-dejavu-core "
            "(make system-deps) so labels print Vietnamese correctly."
        )
    return ImageFont.truetype(path, size)


def text_lines(
    draw: ImageDraw.ImageDraw, text: str, face, width: int, max_lines: int
) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=face) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and draw.textlength(lines[-1] + "…", font=face) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] += "…"
    return lines


def _shrink_to_fit(draw, text: str, size: int, width: int) -> ImageFont.FreeTypeFont:
    """The regular face at `size`, or down to 3/4 of it when the line is long."""
    for step in range(size, round(size * 0.75) - 1, -1):
        face = font(FONT_REGULAR, step)
        if draw.textlength(text, font=face) <= width:
            return face
    return face


@dataclass(frozen=True)
class _Geometry:
    """Where things go inside one label, for one run."""

    version: int
    scale: int
    qr_px: int
    text_x: int
    text_width: int
    line_px: int
    serial_y: int


def plan(layout: SheetLayout, longest_link: str) -> _Geometry:
    """Fit the QR code and the text into one cell, or say why it cannot."""
    cell_w, cell_h = layout.cell_px
    pad = layout.px(layout.padding_mm)
    version = qr.byte_mode_version(len(longest_link.encode()))
    modules = 17 + 4 * version + 2 * qr.QUIET_ZONE
    # The code takes the cell's height, but leaves half the width for text.
    box = min(cell_h - 2 * pad, int(cell_w * 0.5))
    scale = box // modules
    if scale < layout.px(MIN_MODULE_MM) or scale < 2:
        raise LabelError(
            f"{layout.columns}x{layout.rows} labels per page leave too little room "
            "for a readable QR code: choose fewer columns or rows."
        )
    qr_px = modules * scale
    line_px = max(14, min(cell_h // 13, cell_w // 22))
    text_x = pad + qr_px
    return _Geometry(
        version=version,
        scale=scale,
        qr_px=qr_px,
        text_x=text_x,
        text_width=cell_w - text_x - pad,
        line_px=line_px,
        serial_y=0,
    )


def _template(
    layout: SheetLayout, content: LabelContent, geometry: _Geometry
) -> tuple[Image.Image, int]:
    """The part of a label that is the same on every label, and the y of the
    serial line."""
    cell_w, cell_h = layout.cell_px
    pad = layout.px(layout.padding_mm)
    image = Image.new("1", (cell_w, cell_h), 1)
    draw = ImageDraw.Draw(image)
    size = geometry.line_px
    bold = font(FONT_BOLD, size)
    x, y, width = geometry.text_x, pad + size // 4, geometry.text_width
    for line in text_lines(draw, content.product, bold, width, max_lines=2):
        draw.text((x, y), line, font=bold, fill=0)
        y += round(size * 1.25)
    serial_y = y
    y += round(size * 1.25)
    for text in (content.lot_line, content.harvest_line, *content.certifications):
        if y + size > cell_h - pad - size * 1.3:
            break
        face = _shrink_to_fit(draw, text, size, width)
        line = text_lines(draw, text, face, width, max_lines=1)[0]
        draw.text((x, y), line, font=face, fill=0)
        y += round(size * 1.2)
    # The domain sits at the bottom in plain text, so a sticker pasted over
    # the code with another site's code is noticeable.
    small = font(FONT_BOLD, size)
    draw.text(
        (x, cell_h - pad - round(size * 1.15)), content.domain, font=small, fill=0
    )
    return image, serial_y


@dataclass(frozen=True)
class LabelJob:
    """Everything needed to draw the pages of one run (picklable, so pages can
    be drawn in worker processes)."""

    layout: SheetLayout
    content: LabelContent
    make_link: Callable[[str], str]
    serials: Sequence[str]

    @property
    def pages(self) -> int:
        return math.ceil(len(self.serials) / self.layout.per_page)

    def labels_on(self, page: int) -> Sequence[str]:
        per_page = self.layout.per_page
        return self.serials[page * per_page : (page + 1) * per_page]


class _Painter:
    def __init__(self, job: LabelJob):
        self.job = job
        longest = max(job.serials, key=len)
        self.geometry = plan(job.layout, job.make_link(serial=longest))
        self.template, self.serial_y = _template(job.layout, job.content, self.geometry)
        self.serial_font = font(FONT_BOLD, self.geometry.line_px)
        self.stamper = qr.QrStamper(version=self.geometry.version)
        self.glyphs = _Glyphs(self.serial_font)

    def page(self, page: int) -> Image.Image:
        layout, geometry = self.job.layout, self.geometry
        sheet = Image.new("1", layout.page_px, 1)
        draw = ImageDraw.Draw(sheet)
        pad = layout.px(layout.padding_mm)
        top = (layout.cell_px[1] - geometry.qr_px) // 2
        for index, serial in enumerate(self.job.labels_on(page)):
            x, y = layout.cell_origin(index)
            sheet.paste(self.template, (x, y))
            # The template is white where the code goes: its quiet zone.
            code = self.stamper.symbol(
                self.job.make_link(serial=serial), scale=geometry.scale
            )
            quiet = qr.QUIET_ZONE * geometry.scale
            sheet.paste(code, (x + pad + quiet, y + top + quiet))
            self.glyphs.draw(
                draw,
                (x + geometry.text_x, y + self.serial_y),
                f"{self.job.content.serial_prefix}{serial}",
            )
        return sheet


class _Glyphs:
    """Text drawn by pasting cached glyph images: a serial line is a few
    digits, and FreeType rendering per label would cost more than the QR."""

    def __init__(self, face: ImageFont.FreeTypeFont):
        self.face = face
        self.cache: dict[str, tuple[Image.Image, int]] = {}
        self.height = sum(face.getmetrics())

    def _glyph(self, char: str) -> tuple[Image.Image, int]:
        if char not in self.cache:
            advance = round(self.face.getlength(char))
            # A mask (set where the glyph is), so a glyph never blanks its
            # neighbour when drawn.
            mask = Image.new("1", (max(1, advance * 2), self.height), 0)
            ImageDraw.Draw(mask).text((0, 0), char, font=self.face, fill=1)
            self.cache[char] = (mask, advance)
        return self.cache[char]

    def draw(self, draw: ImageDraw.ImageDraw, at: tuple[int, int], text: str) -> None:
        x, y = at
        for char in text:
            mask, advance = self._glyph(char)
            draw.bitmap((x, y), mask, fill=0)
            x += advance


def render_page(job: LabelJob, page: int) -> Image.Image:
    """One page as a 1-bit image (the same image the PDF embeds)."""
    return _Painter(job).page(page)


def iter_pages(job: LabelJob, *, workers: int = 1) -> Iterator[Image.Image]:
    """The pages in order, drawn in `workers` processes when > 1."""
    if workers <= 1 or job.pages < 4:
        painter = _Painter(job)
        for page in range(job.pages):
            yield painter.page(page)
        return
    size = job.layout.page_px
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_init, initargs=(job,)) as pool:
        for raw in pool.imap(_worker_page, range(job.pages)):
            yield Image.frombytes("1", size, raw)


_worker_painter: _Painter | None = None


def _worker_init(job: LabelJob) -> None:
    global _worker_painter  # one painter per worker process
    _worker_painter = _Painter(job)


def _worker_page(page: int) -> bytes:
    if _worker_painter is None:
        raise RuntimeError("worker not initialised")
    return _worker_painter.page(page).tobytes()


class _LazyPages(Image.Image):
    """A multi-frame image whose frames are drawn when Pillow seeks to them,
    so the PDF writer holds one page at a time."""

    def __init__(self, pages: Iterator[Image.Image], count: int, first: Image.Image):
        super().__init__()
        self._pages = pages
        self._count = count
        self._frame = 0
        self._show(first)

    def _show(self, page: Image.Image) -> None:
        self.im = page.im
        self._mode = page.mode
        self._size = page.size

    @property
    def n_frames(self) -> int:
        return self._count

    def seek(self, frame: int) -> None:
        if frame >= self._count:
            raise EOFError
        if frame != self._frame:
            if frame != self._frame + 1:
                raise ValueError("pages are drawn in order")
            self._show(next(self._pages))
            self._frame = frame

    def tell(self) -> int:
        return self._frame

    def load(self):
        return None


def write_pdf(
    job: LabelJob,
    fp: IO[bytes],
    *,
    workers: int = 1,
    on_page: Callable[[int], None] | None = None,
) -> int:
    """Write the run's pages as one PDF into `fp`; returns the page count.

    `on_page(labels_done)` is called after each page is drawn.
    """
    if not job.serials:
        raise LabelError("A label run needs at least one label.")
    per_page = job.layout.per_page
    total = len(job.serials)

    def counted() -> Iterator[Image.Image]:
        for number, page in enumerate(iter_pages(job, workers=workers), start=1):
            if on_page is not None:
                on_page(min(number * per_page, total))
            yield page

    pages = counted()
    first = next(pages)
    rest = job.pages - 1
    extra = [_LazyPages(pages, rest, next(pages))] if rest else []
    first.save(
        fp,
        format="PDF",
        save_all=True,
        append_images=extra,
        resolution=float(job.layout.dpi),
        title="Tem truy xuất nguồn gốc",
        producer="Nguồn Quê",
    )
    return job.pages
