"""The QR symbol of a label: ISO/IEC 18004, error-correction level M, made with `qrcode` (R-ID-2).

Level M restores up to about 15 % of damaged codewords, the usual choice for labels that are
printed sharply but may be scratched or frosted. The smallest version that holds the text is
used; the encoder switches to alphanumeric mode for the upper-case part of the label link.
"""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M

ECC_LEVEL = "M"
QUIET_ZONE = 4
"""Light modules around the symbol on every side, as ISO/IEC 18004 requires."""
MIN_MODULE_MM = 0.25
"""Smallest printed module (X-dimension): 2 dots at 203 dpi, 3 at 300 dpi."""


@dataclass(frozen=True)
class QrSymbol:
    """The encoded text, its QR version and its dark modules, row by row, quiet zone excluded."""

    text: str
    version: int
    modules: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules per side without the quiet zone (17 + 4 x version)."""
        return len(self.modules)

    @property
    def size_with_quiet_zone(self) -> int:
        return self.size + 2 * QUIET_ZONE

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
    """Encode ``text`` at level M in the smallest QR version that holds it."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    return QrSymbol(text, int(code.version), tuple(tuple(bool(m) for m in row) for row in matrix))
