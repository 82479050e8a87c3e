"""ZPL II for Zebra label printers at 203, 300 or 600 dpi (R-ID-2, R-ID-3).

One label is ``^XA`` ... ``^XZ``: ``^CI28`` (field data is UTF-8), ``^PW``/``^LL`` the label size
in dots, the QR code as ``^BQN,2,<magnification>,M`` with ``^FDMA,<QR text>`` (level M,
automatic input mode), and one ``^A0`` text field per line. Text goes through ``^FH``: ``^``,
``~``, ``_`` and every non-ASCII byte are written as ``_XX`` hex escapes, so the file is plain
ASCII. Font 0 prints ISO 8859-1 only; other text (e.g. Chinese) needs a printer-resident
TrueType font, named with ``font`` (``^A@``), or it is refused.
"""

from __future__ import annotations

import re
from functools import lru_cache

from label_printing.errors import LabelLayoutError
from label_printing.layout import TextLine
from label_printing.qr import ECC_LEVEL, QUIET_ZONE
from label_printing.render import PreparedLabel, needs_unicode_font, unicode_font_error

DOTS_PER_MM = {203: 8, 300: 12, 600: 24}
"""Zebra's nominal resolutions: 203 dpi prints 8 dots/mm, 300 dpi 12, 600 dpi 24."""
MIN_MODULE_DOTS = 2
_RAW = re.compile(r"[ -~]")
_ESCAPED = frozenset("^~_")
_FONT_NAME = re.compile(r"[REBA]:[A-Z0-9_]{1,16}\.(TTF|FNT|TTE)", re.ASCII)


def render_zpl(label: PreparedLabel, dpi: int = 203, font: str | None = None) -> str:
    """The ZPL of one label for a printer of ``dpi`` (203, 300 or 600)."""
    dots = DOTS_PER_MM.get(dpi)
    if dots is None:
        raise LabelLayoutError(f"Zebra printers print at 203, 300 or 600 dpi, not {dpi}.")
    if font is not None and not _FONT_NAME.fullmatch(font):
        raise LabelLayoutError(
            f"printer font {font!r} is not a ZPL font name such as E:SIMSUN.TTF (drive letter, "
            "colon, up to 16 characters A-Z 0-9 _, extension .TTF, .TTE or .FNT)."
        )
    if font is None and needs_unicode_font(label):
        raise unicode_font_error(label, "ZPL")
    stock = label.layout.stock
    side = int(label.layout.qr_side_mm * dots)
    module = side // label.symbol.size_with_quiet_zone
    if module < MIN_MODULE_DOTS:
        raise LabelLayoutError(
            f"at {dpi} dpi a QR module of {label.content.code} would be {module} dot(s); "
            f"use a {dpi * 2} dpi printer or a larger label stock."
        )
    text = label.symbol.text
    if "^" in text or "~" in text:  # never from qr_text; a guard for the ZPL command prefixes
        raise LabelLayoutError("the QR text contains '^' or '~', which ZPL cannot carry.")
    inset = (side - label.symbol.size_with_quiet_zone * module) // 2 + QUIET_ZONE * module
    qr_x = round(label.layout.qr_x_mm * dots) + inset
    qr_y = round(label.layout.qr_y_mm * dots) + inset
    commands = [
        "^XA",
        "^CI28",
        f"^PW{round(stock.width_mm * dots)}",
        f"^LL{round(stock.height_mm * dots)}",
        "^LH0,0",
        f"^FX CellTrace label {label.content.code}, {stock.description}, {dpi} dpi",
        f"^FO{qr_x},{qr_y}^BQN,2,{module},{ECC_LEVEL}^FD{ECC_LEVEL}A,{text}^FS",
    ]
    commands.extend(_text_field(line, dots, font) for line in label.layout.lines)
    commands.append("^XZ")
    return "\n".join(commands) + "\n"


@lru_cache(maxsize=4096)
def _text_field(line: TextLine, dots: int, font: str | None) -> str:
    """One text line's field; cached, as the labels of a run share all lines but the code."""
    height = max(10, round(line.size_mm * dots))
    face = f"^A@N,{height},{height},{font}" if font else f"^A0N,{height},{height}"
    x, y = round(line.x_mm * dots), round(line.top_mm * dots)
    return f"^FO{x},{y}{face}^FH^FD{escape_field(line.text)}^FS"


def escape_field(text: str) -> str:
    """Field data for ``^FH``: printable ASCII as is, ``^ ~ _`` and non-ASCII as UTF-8 ``_XX``.

    Control characters are refused: no label line may contain one.
    """
    if text.isascii() and text.isprintable() and _ESCAPED.isdisjoint(text):
        return text  # the usual line: printable ASCII, nothing to escape
    out = []
    for char in text:
        if _RAW.fullmatch(char) and char not in _ESCAPED:
            out.append(char)
        elif char.isprintable():
            out.extend(f"_{byte:02X}" for byte in char.encode("utf-8"))
        else:
            raise LabelLayoutError(f"label text {text!r} contains a control character.")
    return "".join(out)
