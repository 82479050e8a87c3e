"""Label files for the `celltrace label` and `celltrace labels` commands (R-ID-2, R-ID-3).

Plain functions of parsed arguments: they sign, lay out and write label files and return
their paths, or raise a :class:`~label_printing.errors.LabelError` that says what to do. The
signing key is loaded through :mod:`ledger.stores.keys` (:func:`load_signer`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from label_printing.content import LabelContent
from label_printing.errors import LabelError
from label_printing.layout import LabelStock
from label_printing.pdf import L7651, SheetLayout, render_pdf, render_sheet
from label_printing.phrases import Language
from label_printing.render import prepare_label, render_png, render_svg
from label_printing.signing import load_label_signer
from label_printing.zpl import render_zpl
from ledger.config import Settings
from ledger.identifiers import ItemCode
from ledger.integrity.note import Signer

DEFAULT_DPI = {"png": 300, "zpl": 203}


class LabelFormat(StrEnum):
    """The file formats of one label."""

    PNG = "png"
    SVG = "svg"
    PDF = "pdf"
    ZPL = "zpl"


def load_signer(settings: Settings) -> Signer:
    """The label signing key of this deployment (``keys/label.key``)."""
    return load_label_signer(settings)


def parse_format(fmt: LabelFormat | str) -> LabelFormat:
    try:
        return LabelFormat(str(fmt).lower())
    except ValueError:
        choices = ", ".join(f.value for f in LabelFormat)
        raise LabelError(f"label format {fmt!r} is not one of {choices}.") from None


@dataclass(frozen=True)
class RenderOptions:
    """How to render one label; the defaults suit the label's stock and an English label.

    ``dpi``: PNG resolution (default 300) or the Zebra printer's (203 default, 300, 600).
    ``font_path``: a TrueType font for PNG/PDF text outside ISO 8859-1; ``printer_font``: the
    printer-resident font ZPL uses for such text (e.g. ``E:SIMSUN.TTF``).
    """

    stock: LabelStock | None = None
    dpi: int | None = None
    language: Language = Language.EN
    font_path: Path | None = None
    printer_font: str | None = None


def render_label(
    content: LabelContent,
    fmt: LabelFormat | str,
    signer: Signer,
    base_url: str,
    options: RenderOptions = RenderOptions(),
) -> bytes:
    """One label as PNG, SVG, PDF (one page the size of the label) or ZPL bytes.

    Also what ``GET /items/{code}/label.{png,svg,pdf,zpl}`` returns.
    """
    kind = parse_format(fmt)
    label = prepare_label(content, signer, base_url, options.stock, options.language)
    dpi = options.dpi or DEFAULT_DPI.get(kind.value, 0)
    if kind is LabelFormat.PNG:
        return render_png(label, dpi, options.font_path)
    if kind is LabelFormat.SVG:
        return render_svg(label).encode("utf-8")
    if kind is LabelFormat.PDF:
        return render_pdf([label], options.font_path)
    return render_zpl(label, dpi, options.printer_font).encode("ascii")


def write_label(
    content: LabelContent,
    fmt: LabelFormat | str,
    out_path: Path,
    signer: Signer,
    base_url: str,
    options: RenderOptions = RenderOptions(),
) -> Path:
    """Write one label file (see :func:`render_label`) atomically and return its path."""
    path = _target(out_path, f".{parse_format(fmt).value}")
    return _write(path, render_label(content, fmt, signer, base_url, options))


def write_sheet(
    contents: Sequence[LabelContent],
    out_path: Path,
    signer: Signer,
    base_url: str,
    *,
    sheet: SheetLayout = L7651,
    skip: int = 0,
    language: Language = Language.EN,
    font_path: Path | None = None,
) -> Path:
    """Write a PDF of label sheets (default: A4 65-up, L7651 layout), e.g. a whole fill run."""
    path = _target(out_path, ".pdf")
    body = sheet_pdf(
        contents, signer, base_url, sheet=sheet, skip=skip, language=language, font_path=font_path
    )
    return _write(path, body)


def sheet_pdf(
    contents: Sequence[LabelContent],
    signer: Signer,
    base_url: str,
    *,
    sheet: SheetLayout = L7651,
    skip: int = 0,
    language: Language = Language.EN,
    font_path: Path | None = None,
) -> bytes:
    """The PDF of label sheets :func:`write_sheet` writes (``GET /lots/{code}/labels.pdf``)."""
    labels = [prepare_label(c, signer, base_url, sheet.stock, language) for c in contents]
    return render_sheet(labels, sheet, skip=skip, font_path=font_path)


def write_labels(
    contents: Sequence[LabelContent],
    fmt: LabelFormat | str,
    out_dir: Path,
    signer: Signer,
    base_url: str,
) -> list[Path]:
    """Write one file per label into ``out_dir``, named by `file_name` (e.g. for the demo)."""
    kind = parse_format(fmt)
    return [
        write_label(c, kind, out_dir / file_name(c.code, kind.value), signer, base_url)
        for c in contents
    ]


def write_file(out_path: Path, suffix: str, data: bytes) -> Path:
    """Write `data` atomically to `out_path`, which must end in `suffix` (e.g. ``.pdf``)."""
    return _write(_target(out_path, suffix), data)


def file_name(code: ItemCode | str, extension: str) -> str:
    """``<code>.<extension>``, with a ``*`` check character written ``_`` so that the name is
    valid on every file system (``_`` is not a code character, so names stay unique)."""
    return f"{str(code).replace('*', '_')}.{extension}"


def _target(out_path: Path, suffix: str) -> Path:
    path = Path(out_path)
    if path.is_dir():
        raise LabelError(
            f"{path} is a directory; give the label file's path, e.g. {path}/x{suffix}"
        )
    if path.suffix and path.suffix.lower() != suffix:
        raise LabelError(
            f"{path} ends in {path.suffix!r} but the label format is {suffix[1:]}; "
            f"name the file ...{suffix} or choose the matching --format."
        )
    return path


def _write(path: Path, data: bytes) -> Path:
    """Write atomically, so a printer spooler never picks up half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; a print spooler must be able to read it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
