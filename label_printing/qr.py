"""The QR symbol of a label: ISO/IEC 18004, error-correction level M (R-ID-2).

Level M restores up to about 15 % of damaged codewords, the usual choice for labels that are
printed sharply but may be scratched or frosted. The smallest version that holds the text is
used; the text is split into segments as `qrcode` splits it (alphanumeric mode for the
upper-case part of the label link, byte mode for the rest).

The version is a lookup from the segments' bit length (:func:`qr_version`), so a ZPL label, whose
symbol the printer draws, never builds the matrix. The dark modules are made on first use
(PNG, SVG, PDF) by zxing-cpp's encoder at that version, with `qrcode` as the fallback.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, cast

import qrcode
import zxingcpp
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

if TYPE_CHECKING:
    from typing_extensions import Buffer

ECC_LEVEL = "M"
QUIET_ZONE = 4
"""Light modules around the symbol on every side, as ISO/IEC 18004 requires."""
MIN_MODULE_MM = 0.25
"""Smallest printed module (X-dimension): 2 dots at 203 dpi, 3 at 300 dpi."""
_OPTIMIZE = 20
"""`qrcode`'s default: a run shorter than 20 characters does not get a segment of its own."""
_BIT_LIMITS = util.BIT_LIMIT_TABLE[ERROR_CORRECT_M]
_SIZE_CLASSES = ((1, 9), (10, 26), (27, 40))
"""Version ranges that share the character-count field widths."""


@dataclass(frozen=True)
class QrSymbol:
    """The encoded text and its QR version; its dark modules, row by row, quiet zone excluded,
    are made on first use."""

    text: str
    version: int

    @property
    def size(self) -> int:
        """Modules per side without the quiet zone (17 + 4 x version)."""
        return 17 + 4 * self.version

    @property
    def size_with_quiet_zone(self) -> int:
        return self.size + 2 * QUIET_ZONE

    @cached_property
    def dark(self) -> bytes:
        """One byte per module, row by row, quiet zone excluded: 0 dark, 255 light."""
        try:
            code = zxingcpp.create_barcode(
                self.text, zxingcpp.BarcodeFormat.QRCode, ec_level=ECC_LEVEL, version=self.version
            )
            image = code.to_image(scale=1, add_quiet_zones=False)
            pixels = bytes(cast("Buffer", image))  # one byte a module, through its buffer
            if len(pixels) == self.size * self.size:
                return pixels
        except (RuntimeError, ValueError):  # pragma: no cover - zxing-cpp refused the version
            pass
        return _qrcode_pixels(self.text, self.version)  # pragma: no cover

    @cached_property
    def modules(self) -> tuple[tuple[bool, ...], ...]:
        """Dark modules, row by row, quiet zone excluded."""
        pixels, n = self.dark, self.size
        return tuple(tuple(p == 0 for p in pixels[r * n : (r + 1) * n]) for r in range(n))

    def runs(self) -> tuple[tuple[int, int, int], ...]:
        """Horizontal runs of dark modules as (row, first column, length), for vector output."""
        runs: list[tuple[int, int, int]] = []
        for row, line in enumerate(self.modules):
            start = None
            for col, dark in enumerate((*line, False)):
                if dark and start is None:
                    start = col
                elif not dark and start is not None:
                    runs.append((row, start, col - start))
                    start = None
        return tuple(runs)


def make_qr(text: str) -> QrSymbol:
    """The symbol of ``text`` at level M in the smallest QR version that holds it."""
    return QrSymbol(text, qr_version(text))


def qr_version(text: str) -> int:
    """The smallest version holding ``text`` at level M in `qrcode`'s segments, without
    building the symbol (what ``qrcode.QRCode.best_fit`` computes)."""
    chunks = list(util.optimal_data_chunks(text, minimum=_OPTIMIZE))
    for first, last in _SIZE_CLASSES:
        sizes = util.mode_sizes_for_version(first)
        bits = sum(4 + sizes[c.mode] + _data_bits(c.mode, len(c)) for c in chunks)
        version = bisect_left(_BIT_LIMITS, bits, first)
        if version <= last:
            return version
    raise qrcode.exceptions.DataOverflowError()


def _data_bits(mode: int, length: int) -> int:
    if mode == util.MODE_NUMBER:
        return 10 * (length // 3) + (0, 4, 7)[length % 3]
    if mode == util.MODE_ALPHA_NUM:
        return 11 * (length // 2) + 6 * (length % 2)
    return 8 * length


def _qrcode_pixels(text: str, version: int) -> bytes:
    code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text, optimize=_OPTIMIZE)
    code.make(fit=False)
    return bytes(0 if dark else 255 for row in code.get_matrix() for dark in row)
