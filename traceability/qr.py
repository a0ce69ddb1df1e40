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


def qr_code(
    data: str, *, bulk: bool = False, version: int | None = None
) -> qrcode.QRCode:
    """The code for `data`. `version` fixes the size (a run of labels whose
    links have the same length): it skips the fitting pass, and `qrcode`
    raises DataOverflowError when the data does not fit."""
    code = qrcode.QRCode(
        version=version,
        error_correction=ERROR_CORRECT_M,
        border=QUIET_ZONE,
        mask_pattern=BULK_MASK_PATTERN if bulk else None,
    )
    code.add_data(data)
    code.make(fit=version is None)
    return code


def qr_version(data: str) -> int:
    """The smallest version that holds `data` at error correction M."""
    return qr_code(data, bulk=True).version


# 1 (dark module) → 0 (black pixel) and 0 → 255, for Image.point into mode "1".
_DARK_TO_BLACK = [255] + [0] * 255


def matrix_image(matrix: list[list[bool]], *, scale: int) -> Image.Image:
    """A 1-bit image of a module matrix, `scale` pixels per module."""
    modules = len(matrix)
    raw = b"".join(bytes(row) for row in matrix)  # True/False → 1/0
    small = Image.frombytes("L", (modules, modules), raw).point(_DARK_TO_BLACK, "1")
    return small.resize((modules * scale, modules * scale), Image.NEAREST)


def qr_image(data: str, *, size_px: int, bulk: bool = False) -> Image.Image:
    """A 1-bit image of the code with its quiet zone, about `size_px` wide.

    The width is rounded down to a whole number of pixels per module, so
    every module has the same size (readers dislike uneven modules).
    """
    matrix = qr_code(data, bulk=bulk).get_matrix()
    return matrix_image(matrix, scale=max(1, size_px // len(matrix)))


def qr_png(data: str, *, size_px: int = 330) -> bytes:
    buffer = io.BytesIO()
    qr_image(data, size_px=size_px).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """A scalable SVG (one path), sized in millimetres by qrcode's factory."""
    image = qr_code(data).make_image(image_factory=SvgPathImage)
    return image.to_string(encoding="unicode").encode()


# --- Fast stamping for label runs -------------------------------------------
#
# `qrcode` spends ~5 ms per code in pure-Python Reed-Solomon and module
# placement; a run of 10 000 labels must take well under a minute. All codes of
# a run share one version and one mask, so `qrcode` draws everything that does
# not depend on the data once (finder, timing and alignment patterns, format
# and version information) and tells us which modules carry data; per link we
# only compute the codewords (byte mode, table-driven Reed-Solomon) and set
# those modules. The result equals `qrcode`'s own matrix module for module
# (tests/traceability/test_labels.py checks it against `qrcode`).

_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _i in range(255):
    _EXP[_i] = _value
    _LOG[_value] = _i
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D  # the QR field polynomial x^8 + x^4 + x^3 + x^2 + 1
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]
# Each byte → its 8 bits, most significant first, as bytes 0 / 255.
_BITS = [bytes(255 * ((byte >> (7 - k)) & 1) for k in range(8)) for byte in range(256)]
_PAD_BYTES = (0xEC, 0x11)


def _gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _generator(degree: int) -> list[int]:
    """Coefficients of ∏(x - a^i (a = 2)), i < degree, highest power first (monic)."""
    poly = [1]
    for i in range(degree):
        poly = [
            a ^ _gf_mul(b, _EXP[i]) for a, b in zip([*poly, 0], [0, *poly], strict=True)
        ]
    return poly


class _ReedSolomon:
    """Remainder of data·x^n by the generator, as an n-byte integer LFSR."""

    def __init__(self, degree: int):
        generator = _generator(degree)[1:]
        self.degree = degree
        self.mask = (1 << (8 * degree)) - 1
        self.shift = 8 * (degree - 1)
        self.rows = [
            int.from_bytes(bytes(_gf_mul(f, g) for g in generator), "big")
            for f in range(256)
        ]

    def ecc(self, data: bytes) -> bytes:
        remainder, rows, mask, shift = 0, self.rows, self.mask, self.shift
        for byte in data:
            factor = byte ^ (remainder >> shift)
            remainder = ((remainder << 8) & mask) ^ rows[factor]
        return remainder.to_bytes(self.degree, "big")


def byte_mode_version(length: int) -> int:
    """The smallest version holding `length` bytes in byte mode at level M."""
    for version in range(1, 41):
        capacity = sum(
            b.data_count for b in qrcode.base.rs_blocks(version, ERROR_CORRECT_M)
        )
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * length <= 8 * capacity:
            return version
    raise ValueError(f"{length} bytes do not fit in a QR code at level M")


class QrStamper:
    """Draws many codes of one version, error correction M and one mask."""

    def __init__(self, *, version: int, mask_pattern: int = BULK_MASK_PATTERN):
        self.version = version
        blocks = qrcode.base.rs_blocks(version, ERROR_CORRECT_M)
        self.blocks = [(b.total_count, b.data_count) for b in blocks]
        self.data_capacity = sum(data for _total, data in self.blocks)
        self.count_bits = 8 if version < 10 else 16
        self.coders = {
            total - data: _ReedSolomon(total - data) for total, data in self.blocks
        }
        self.size = version * 4 + 17
        self._interleaving = _interleaving(self.blocks)
        light = self._qrcode_matrix([0] * self._total, mask_pattern)
        dark = self._qrcode_matrix([0xFF] * self._total, mask_pattern)
        cells = self.size * self.size
        # Pixels of mode "1" stored a byte each ("1;8"): 0 black, 255 white.
        template = bytes(0 if module else 255 for row in light for module in row)
        flips = {
            r * self.size + c
            for r in range(self.size)
            for c in range(self.size)
            if light[r][c] != dark[r][c]
        }
        positions = self._placement_order(flips)
        # Pixel k of the code is source[self._gather[k]], source being the
        # template followed by the data bits (255 for a 1 bit), and is then
        # XOR-ed with the pixel a 0 bit gives there (mask applied): data
        # modules take bit XOR mask, all other modules keep the template.
        gather = list(range(cells))
        zero = bytearray(cells)
        for bit_index, position in enumerate(positions):
            gather[position] = cells + bit_index
            zero[position] = template[position]
        self._template = template
        self._gather = gather
        self._zero = int.from_bytes(zero, "big")
        self._data_bits = len(positions)

    @property
    def _total(self) -> int:
        return sum(total for total, _data in self.blocks)

    def _qrcode_matrix(self, codewords: list[int], mask_pattern: int):
        code = qrcode.QRCode(
            version=self.version,
            error_correction=ERROR_CORRECT_M,
            border=0,
            mask_pattern=mask_pattern,
        )
        code.data_cache = codewords  # qrcode places these as they are
        code.make(fit=False)
        return code.get_matrix()

    def _placement_order(self, data_modules: set[int]) -> list[int]:
        # ISO/IEC 18004 zigzag: column pairs from the right, skipping the
        # vertical timing column, alternately upwards and downwards.
        size = self.size
        order, column, upwards = [], size - 1, True
        while column > 0:
            if column == 6:
                column -= 1
            rows = range(size - 1, -1, -1) if upwards else range(size)
            for row in rows:
                for col in (column, column - 1):
                    index = row * size + col
                    if index in data_modules:
                        order.append(index)
            upwards = not upwards
            column -= 2
        return order

    def codewords(self, data: bytes) -> bytes:
        """Byte-mode data, terminator, padding, then interleaved blocks + ECC."""
        bits = 4 + self.count_bits + 8 * len(data)
        if bits > self.data_capacity * 8:
            raise ValueError(f"{len(data)} bytes do not fit version {self.version}")
        stream = (0b0100 << self.count_bits | len(data)) << (8 * len(data))
        stream |= int.from_bytes(data, "big")
        terminator = min(4, self.data_capacity * 8 - bits)
        stream <<= terminator
        bits += terminator
        align = (-bits) % 8
        stream <<= align
        bits += align
        head = stream.to_bytes(bits // 8, "big")
        pads = bytes(_PAD_BYTES[i % 2] for i in range(self.data_capacity - len(head)))
        message = head + pads
        ecc, start = [message], 0
        for total, count in self.blocks:
            ecc.append(self.coders[total - count].ecc(message[start : start + count]))
            start += count
        return bytes(map(b"".join(ecc).__getitem__, self._interleaving))

    def image(self, data: str, *, scale: int) -> Image.Image:
        """The code for `data` with its quiet zone, `scale` pixels a module."""
        full = self.size + 2 * QUIET_ZONE
        framed = Image.new("1", (full * scale, full * scale), 1)
        framed.paste(self.symbol(data, scale=scale), (QUIET_ZONE * scale,) * 2)
        return framed

    def symbol(self, data: str, *, scale: int) -> Image.Image:
        """The code without its quiet zone (paste it onto white, leaving
        `QUIET_ZONE * scale` pixels free on every side)."""
        bits = b"".join(map(_BITS.__getitem__, self.codewords(data.encode())))
        source = self._template + bits[: self._data_bits]
        pixels = bytes(map(source.__getitem__, self._gather))
        cells = len(pixels)
        pixels = (int.from_bytes(pixels, "big") ^ self._zero).to_bytes(cells, "big")
        size = self.size
        code = Image.frombytes("1", (size, size), pixels, "raw", "1;8")
        return code.resize((size * scale, size * scale), Image.NEAREST)


def _interleaving(blocks: list[tuple[int, int]]) -> list[int]:
    """Order of codewords in the symbol, as indexes into all data blocks
    followed by all ECC blocks: first byte of each data block, second …, then
    the same for the ECC blocks."""
    data_starts, ecc_starts, data_at, ecc_at = [], [], 0, 0
    total_data = sum(count for _total, count in blocks)
    for total, count in blocks:
        data_starts.append((data_at, count))
        ecc_starts.append((total_data + ecc_at, total - count))
        data_at += count
        ecc_at += total - count
    order = []
    for starts in (data_starts, ecc_starts):
        longest = max(length for _start, length in starts)
        order += [
            start + i for i in range(longest) for start, length in starts if i < length
        ]
    return order
