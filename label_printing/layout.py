"""Where things go on a label: label stocks, the QR square and the wrapped text lines (R-ID-2).

Every renderer (PNG, SVG, PDF, ZPL) draws the same :class:`Layout`, so a label looks the same in
every format. Layout: the QR square on the left (full label height less the margins), the text
block to its right, top-aligned, in the largest font size at which every line fits. Lines wrap
at spaces, never right after a word of three characters or fewer (a caption such as "Lot").
Text width is measured with the Helvetica metrics of the PDF standard fonts, the font the PDF
renderer uses; the other renderers shrink a line further if their font is wider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from fpdf.fonts import CORE_FONTS_CHARWIDTHS

from label_printing.content import LabelContent, LabelKind
from label_printing.errors import LabelLayoutError
from label_printing.phrases import Language

MAX_FONT_MM = 3.5
MIN_FONT_MM = 1.25
"""Smallest em size printed (about 3.5 pt), the floor for legible cryovial text."""
LEADING = 1.15
ASCENT = 0.78
"""Baseline below the top of a line, as a fraction of the em size (Helvetica ascender)."""
_STEP_MM = 0.05


@dataclass(frozen=True)
class LabelStock:
    """A physical label size in millimetres, with its margins and the QR-to-text gap."""

    name: str
    width_mm: float
    height_mm: float
    description: str
    margin_mm: float = 1.0
    gap_mm: float = 1.0

    @property
    def qr_side_mm(self) -> float:
        return self.height_mm - 2 * self.margin_mm

    @property
    def text_x_mm(self) -> float:
        return self.margin_mm + self.qr_side_mm + self.gap_mm

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - self.text_x_mm - self.margin_mm

    @property
    def text_height_mm(self) -> float:
        return self.height_mm - 2 * self.margin_mm


CRYOVIAL = LabelStock("cryovial", 38.0, 19.0, "cryovial label 38 x 19 mm (1.5 x 0.75 in)")
PRODUCT = LabelStock("product", 70.0, 35.0, "product / vessel label 70 x 35 mm", 2.0, 2.0)
SHIPPER = LabelStock("shipper", 101.6, 50.8, "shipping label 4 x 2 in (101.6 x 50.8 mm)", 3.0, 3.0)
WRISTBAND = LabelStock("wristband", 75.0, 25.0, "wristband print area 75 x 25 mm", 1.5, 1.5)
BADGE = LabelStock("badge", 85.6, 54.0, "badge card 85.6 x 54 mm (ID-1, CR80)", 5.0, 3.0)
STOCKS = {s.name: s for s in (CRYOVIAL, PRODUCT, SHIPPER, WRISTBAND, BADGE)}

STOCK_FOR_KIND = {
    LabelKind.BANK_VIAL: CRYOVIAL,
    LabelKind.PRODUCT_VIAL: CRYOVIAL,
    LabelKind.CULTURE_VESSEL: PRODUCT,
    LabelKind.HARVEST_CONTAINER: PRODUCT,
    LabelKind.SHIPMENT_CONTAINER: SHIPPER,
    LabelKind.PATIENT_WRISTBAND: WRISTBAND,
    LabelKind.PERSON_BADGE: BADGE,
    LabelKind.GENERIC: PRODUCT,
}


@dataclass(frozen=True)
class TextLine:
    """One printed line: text, left edge and baseline in mm, em size in mm, bold or not."""

    text: str
    x_mm: float
    baseline_mm: float
    size_mm: float
    bold: bool = False

    @property
    def top_mm(self) -> float:
        return self.baseline_mm - ASCENT * self.size_mm


@dataclass(frozen=True)
class Layout:
    """A label laid out on a stock: the QR square (quiet zone included) and the text lines."""

    stock: LabelStock
    qr_x_mm: float
    qr_y_mm: float
    qr_side_mm: float
    lines: tuple[TextLine, ...]


def layout_label(
    content: LabelContent, stock: LabelStock | None = None, language: Language = Language.EN
) -> Layout:
    """Lay out ``content`` on ``stock`` (default: the stock of its kind), or raise.

    When the full text does not fit at the smallest font size, the facility line is left out
    (the outer container carries it); if it still does not fit, LabelLayoutError says so.
    """
    stock = stock or STOCK_FOR_KIND[content.kind]
    for with_facility in (True, False):
        placed = fit_text(content.lines(language, with_facility=with_facility), stock)
        if placed is not None:
            return Layout(stock, stock.margin_mm, stock.margin_mm, stock.qr_side_mm, placed)
    bigger = [s.name for s in STOCKS.values() if s.text_width_mm > stock.text_width_mm]
    raise LabelLayoutError(
        f"the label of {content.code} does not fit on the {stock.description} even at "
        f"{MIN_FONT_MM} mm text; shorten the product name or use a larger stock "
        f"({', '.join(bigger) or 'none is larger'})."
    )


def fit_text(lines: Sequence[str], stock: LabelStock) -> tuple[TextLine, ...] | None:
    """Place ``lines`` (the first in bold) in the stock's text box at the largest size, or None."""
    size = min(MAX_FONT_MM, stock.text_height_mm / LEADING / max(len(lines), 1))
    size = _STEP_MM * int(size / _STEP_MM)
    measured = [_measure(line, index == 0) for index, line in enumerate(lines)]
    while size >= MIN_FONT_MM - 1e-9:
        wrapped = _wrap_all(measured, size, stock.text_width_mm)
        if wrapped is not None and len(wrapped) * size * LEADING <= stock.text_height_mm + 1e-9:
            return tuple(
                TextLine(
                    text,
                    stock.text_x_mm,
                    stock.margin_mm + (i * LEADING + ASCENT) * size,
                    round(size, 2),
                    bold,
                )
                for i, (text, bold) in enumerate(wrapped)
            )
        size -= _STEP_MM
    return None


def text_width_mm(text: str, size_mm: float, bold: bool = False) -> float:
    """Width of ``text`` in Helvetica (bold) at em size ``size_mm``; other characters count 1 em."""
    widths = CORE_FONTS_CHARWIDTHS["helveticaB" if bold else "helvetica"]
    return sum(widths.get(char, 1000) for char in text) * size_mm / 1000


@lru_cache(maxsize=4096)
def _units_width(text: str, bold: bool) -> int:
    """Width of ``text`` in thousandths of an em, the sum :func:`text_width_mm` scales."""
    widths = CORE_FONTS_CHARWIDTHS["helveticaB" if bold else "helvetica"]
    return sum(widths.get(char, 1000) for char in text)


_Measured = tuple[bool, int, tuple[tuple[str, int], ...]]
"""A line to wrap: bold or not, the width of a space, its wrap units with their widths."""


@lru_cache(maxsize=4096)
def _measure(line: str, bold: bool) -> _Measured:
    """Measure a line's wrap units once, for every font size tried (and for the next label)."""
    return bold, _units_width(" ", bold), tuple((w, _units_width(w, bold)) for w in _units(line))


def _wrap_all(
    lines: Sequence[_Measured], size: float, width: float
) -> list[tuple[str, bool]] | None:
    # Integer widths scaled as text_width_mm scales them: the same comparisons, no re-measuring.
    out: list[tuple[str, bool]] = []
    for bold, space, units in lines:
        current, current_width = "", 0
        for word, word_width in units:
            candidate = current_width + space + word_width if current else word_width
            if candidate * size / 1000 <= width:
                current = f"{current} {word}" if current else word
                current_width = candidate
            elif current and word_width * size / 1000 <= width:
                out.append((current, bold))
                current, current_width = word, word_width
            else:
                return None
        out.append((current, bold))
    return out


def _units(line: str) -> list[str]:
    """Words to wrap, a word of 3 characters or fewer glued to the next ("Lot LOT-...")."""
    units: list[str] = []
    glue = False
    for word in line.split(" "):
        if glue:
            units[-1] += " " + word
        else:
            units.append(word)
        glue = len(word) <= 3
    return units
