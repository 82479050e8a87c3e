"""PDF labels with fpdf2: one label per page, or a sheet of many (e.g. a fill run) (R-ID-2, R-ID-3).

The default sheet is the A4 65-up layout of Avery L7651 / J8651 (label 38.1 x 21.2 mm, 5 columns
x 13 rows, top and bottom margin 10.7 mm, side margin 4.75 mm, pitch 40.6 x 21.2 mm), in which
cryo-grade laser label sheets are also sold. QR modules are vector rectangles, text is Helvetica
(one of the PDF standard fonts, ISO 8859-1) unless a TrueType font file is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from label_printing.errors import LabelLayoutError
from label_printing.layout import LabelStock
from label_printing.render import PreparedLabel, needs_unicode_font, unicode_font_error

PT_PER_MM = 72 / 25.4
_FONT = "label"


@dataclass(frozen=True)
class SheetLayout:
    """A sheet of die-cut labels: page size, grid, first label's corner and the pitch (mm)."""

    name: str
    description: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    left_mm: float
    top_mm: float
    pitch_x_mm: float
    pitch_y_mm: float
    inner_margin_mm: float = 1.5
    """Blank border kept inside each label, for printer registration tolerance."""

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def stock(self) -> LabelStock:
        """The label stock each label of this sheet is laid out on."""
        return LabelStock(
            self.name,
            self.label_width_mm,
            self.label_height_mm,
            f"{self.label_width_mm} x {self.label_height_mm} mm label of {self.description}",
            self.inner_margin_mm,
            1.0,
        )

    def position(self, index: int) -> tuple[int, float, float]:
        """Page number (0-based) and top-left corner in mm of label ``index``, row by row."""
        page, slot = divmod(index, self.per_page)
        row, col = divmod(slot, self.columns)
        return page, self.left_mm + col * self.pitch_x_mm, self.top_mm + row * self.pitch_y_mm


L7651 = SheetLayout(
    "a4-65-l7651",
    "A4 sheet of 65 labels (Avery L7651 / J8651 layout)",
    210.0,
    297.0,
    5,
    13,
    38.1,
    21.2,
    4.75,
    10.7,
    40.6,
    21.2,
)


def render_pdf(labels: Sequence[PreparedLabel], font_path: Path | None = None) -> bytes:
    """A PDF with one page per label, each page the size of its label stock."""
    pdf = _new_pdf(font_path, labels)
    for label in labels:
        stock = label.layout.stock
        pdf.add_page(format=(stock.width_mm, stock.height_mm))
        _draw(pdf, label, 0.0, 0.0)
    return bytes(pdf.output())


def render_sheet(
    labels: Sequence[PreparedLabel],
    sheet: SheetLayout = L7651,
    *,
    skip: int = 0,
    font_path: Path | None = None,
) -> bytes:
    """A PDF of label sheets; ``skip`` leaves the first labels of a partly used sheet blank."""
    if not labels:
        raise LabelLayoutError("a label sheet needs at least one label; nothing was given.")
    if not 0 <= skip < sheet.per_page:
        raise LabelLayoutError(f"skip must be 0 to {sheet.per_page - 1} labels, got {skip}.")
    for label in labels:
        if label.layout.stock != sheet.stock:
            raise LabelLayoutError(
                f"the label of {label.content.code} was laid out on {label.layout.stock.name}, "
                f"not on the {sheet.description}; prepare it with stock=sheet.stock."
            )
    pdf = _new_pdf(font_path, labels)
    current = -1
    for index, label in enumerate(labels, start=skip):
        page, x, y = sheet.position(index)
        if page != current:
            pdf.add_page(format=(sheet.page_width_mm, sheet.page_height_mm))
            current = page
        _draw(pdf, label, x, y)
    return bytes(pdf.output())


def _new_pdf(font_path: Path | None, labels: Sequence[PreparedLabel]) -> FPDF:
    if font_path is None:
        unprintable = next((label for label in labels if needs_unicode_font(label)), None)
        if unprintable is not None:
            raise unicode_font_error(unprintable, "PDF")
    pdf = FPDF(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("CellTrace label_printing")
    # A fixed date keeps output reproducible; when a label was printed is the ledger's business.
    pdf.set_creation_date(datetime(2000, 1, 1, tzinfo=UTC))
    if font_path is not None:
        pdf.add_font(_FONT, "", str(font_path))
        pdf.add_font(_FONT, "B", str(font_path))
    return pdf


def _draw(pdf: FPDF, label: PreparedLabel, x: float, y: float) -> None:
    m = label.module_mm
    qx, qy = label.qr_origin_mm()
    pdf.set_fill_color(0)
    for row, col, length in label.symbol.runs():
        pdf.rect(x + qx + col * m, y + qy + row * m, length * m, m, style="F")
    family = _FONT if _FONT in pdf.fonts else "helvetica"
    pdf.set_text_color(0)
    for line in label.layout.lines:
        pdf.set_font(family, "B" if line.bold else "", line.size_mm * PT_PER_MM)
        pdf.text(x + line.x_mm, y + line.baseline_mm, line.text)
