"""Label images: the signed QR symbol and the text layout, drawn as PNG or SVG (R-ID-2, R-ID-3).

:func:`prepare_label` signs the content and lays it out once; every renderer (these two, the PDF
and the ZPL ones) only draws a :class:`PreparedLabel`, so all formats carry the same payload.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

from label_printing.content import LabelContent
from label_printing.errors import LabelLayoutError
from label_printing.layout import LabelStock, Layout, layout_label
from label_printing.payload import qr_text
from label_printing.phrases import Language
from label_printing.qr import MIN_MODULE_MM, QUIET_ZONE, QrSymbol, make_qr
from ledger.integrity.note import Signer

MM_PER_INCH = 25.4
FONT_FAMILY = "Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class PreparedLabel:
    """A label ready to draw: its content, the signed QR symbol and the layout."""

    content: LabelContent
    symbol: QrSymbol
    layout: Layout

    @property
    def module_mm(self) -> float:
        """Side of one QR module when the symbol and its quiet zone fill the QR square."""
        return self.layout.qr_side_mm / self.symbol.size_with_quiet_zone

    def qr_origin_mm(self) -> tuple[float, float]:
        """Top-left corner of the first module (inside the quiet zone)."""
        inset = QUIET_ZONE * self.module_mm
        return self.layout.qr_x_mm + inset, self.layout.qr_y_mm + inset


def prepare_label(
    content: LabelContent,
    signer: Signer,
    base_url: str,
    stock: LabelStock | None = None,
    language: Language = Language.EN,
) -> PreparedLabel:
    """Sign ``content`` with the label key and lay it out on ``stock`` (default: its kind's)."""
    layout = layout_label(content, stock, language)
    label = PreparedLabel(content, make_qr(qr_text(content, signer, base_url)), layout)
    if label.module_mm < MIN_MODULE_MM:
        raise LabelLayoutError(
            f"the QR code of {content.code} needs version {label.symbol.version}, whose modules "
            f"would be {label.module_mm:.3f} mm on the {layout.stock.description} (at least "
            f"{MIN_MODULE_MM} mm); use a shorter CELLTRACE_BASE_URL or a larger stock."
        )
    return label


def needs_unicode_font(label: PreparedLabel) -> bool:
    """Whether some text is outside ISO 8859-1, which the built-in fonts cannot print."""
    return any(
        not line.text.isascii() and max(map(ord, line.text)) > 0xFF for line in label.layout.lines
    )


def render_png(label: PreparedLabel, dpi: int = 300, font_path: Path | None = None) -> bytes:
    """A 1:1 black-and-white PNG of the label at ``dpi``; QR modules are whole pixels so nothing
    blurs. The symbol is one bitmap scaled by the module size and pasted."""
    if needs_unicode_font(label) and font_path is None:
        raise unicode_font_error(label, "PNG")
    px_per_mm = dpi / MM_PER_INCH
    stock = label.layout.stock
    size = (round(stock.width_mm * px_per_mm), round(stock.height_mm * px_per_mm))
    total = label.symbol.size_with_quiet_zone
    module = int(label.layout.qr_side_mm * px_per_mm) // total
    if module < 2:
        raise LabelLayoutError(
            f"at {dpi} dpi a QR module of {label.content.code} would be under 2 pixels; "
            "print at 300 dpi or more."
        )
    image = Image.new("1", size, 1)
    # Centre the whole-pixel symbol in the QR square.
    inset = (int(label.layout.qr_side_mm * px_per_mm) - total * module) // 2 + QUIET_ZONE * module
    left = round(label.layout.qr_x_mm * px_per_mm) + inset
    top = round(label.layout.qr_y_mm * px_per_mm) + inset
    n = label.symbol.size
    symbol = Image.frombytes("L", (n, n), label.symbol.dark).convert("1")
    image.paste(symbol.resize((n * module, n * module), Image.Resampling.NEAREST), (left, top))
    for line in label.layout.lines:
        x, y = line.x_mm * px_per_mm, line.baseline_mm * px_per_mm
        room = (stock.width_mm - stock.margin_mm - line.x_mm) * px_per_mm
        px = max(1, round(line.size_mm * px_per_mm))
        mask, dx, dy = _text_bitmap(font_path, px, room, line.text, x % 1, y % 1)
        x0, y0 = int(x) + dx, int(y) + dy
        for bold in (0, 1) if line.bold else (0,):  # bold: overprint one pixel to the right
            image.paste(0, (x0 + bold, y0, x0 + bold + mask.width, y0 + mask.height), mask)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()


def render_svg(label: PreparedLabel) -> str:
    """A standalone SVG of the label in millimetres; the QR is one path of module rows."""
    stock = label.layout.stock
    m = label.module_mm
    x0, y0 = label.qr_origin_mm()
    path = "".join(
        f"M{_n(x0 + col * m)} {_n(y0 + row * m)}h{_n(length * m)}v{_n(m)}h{_n(-length * m)}z"
        for row, col, length in label.symbol.runs()
    )
    texts = "\n".join(
        f'<text x="{_n(line.x_mm)}" y="{_n(line.baseline_mm)}" font-size="{_n(line.size_mm)}"'
        f"{' font-weight=' + quoteattr('bold') if line.bold else ''}>{escape(line.text)}</text>"
        for line in label.layout.lines
    )
    w, h = _n(stock.width_mm), _n(stock.height_mm)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" '
        f'viewBox="0 0 {w} {h}">\n'
        f"<title>{escape(str(label.content.code))}</title>\n"
        f"<desc>{escape(label.symbol.text)}</desc>\n"
        f'<rect width="{w}" height="{h}" fill="#fff"/>\n'
        f'<path d="{path}" fill="#000" shape-rendering="crispEdges"/>\n'
        f'<g font-family={quoteattr(FONT_FAMILY)} fill="#000">\n{texts}\n</g>\n'
        "</svg>\n"
    )


@lru_cache(maxsize=1024)
def _text_bitmap(
    path: Path | None, px: int, room: float, text: str, x_frac: float, y_frac: float
) -> tuple[Image.Image, int, int]:
    """One line of text as a 1-bit mask, and its offset from the whole-pixel baseline start.

    A font ``px`` pixels high, smaller if this font is wider than Helvetica and the line would
    overrun ``room`` pixels. Cached: the labels of a run share most of their lines.
    """
    font = _font(path, px)
    width = font.getlength(text)
    if width > room:
        font = _font(path, max(1, int(px * room / width)))
    left, top, right, bottom = (int(v) for v in font.getbbox(text, anchor="ls"))
    pad = max(0, left, top) + px  # room for what hinting draws outside the measured box
    canvas = Image.new("1", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    anchor = (pad - left + x_frac, pad - top + y_frac)
    ImageDraw.Draw(canvas).text(anchor, text, fill=1, font=font, anchor="ls")
    ink = canvas.getbbox() or (0, 0, 1, 1)
    return canvas.crop(ink), left - pad + ink[0], top - pad + ink[1]


@lru_cache(maxsize=64)
def _font(path: Path | None, px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.truetype(str(path), px) if path else ImageFont.load_default(px)


def unicode_font_error(label: PreparedLabel, fmt: str) -> LabelLayoutError:
    return LabelLayoutError(
        f"the {fmt} label of {label.content.code} has text outside ISO 8859-1 (e.g. Chinese), "
        "which the built-in font cannot print; give a font file that covers it."
    )


def _n(value: float) -> str:
    """A coordinate with at most 3 decimals and no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")
