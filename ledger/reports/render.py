"""A report drawn as a PDF with fpdf2 (A4, text and tables), before it is signed: a header on
every page, the sections, Appendix A (the signed checkpoint verbatim, and each cited event's
log index and event hash, to cross-check the proofs by hand), Appendix B (how to check the
report offline), and the attached files: the proofs of every cited event and the log's
verifier keys.

Text is set in DejaVu Sans (fonts-dejavu-core), with WenQuanYi Micro Hei
(fonts-wqy-microhei) for characters it lacks, e.g. names recorded in Chinese; without them
the built-in Helvetica prints ISO 8859-1 only, and a report that needs more is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from ledger.errors import InvalidInput
from ledger.reports.document import Block, Document, Facts, Table, Text

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONTS = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
}
MONO = "DejaVuSansMono.ttf"
CJK = "wqy-microhei.ttc"
_SIZE = 8.0
_SMALL = 6.5


@dataclass(frozen=True)
class Attachment:
    name: str
    body: bytes
    description: str
    mime: str = "text/plain"


@dataclass(frozen=True)
class Verification:
    """What Appendix A and B say: the checkpoint note, the keys' names, the attachments and
    the certificate that signs the report."""

    checkpoint_note: str
    checkpoint_size: int
    proof_file: str
    keys_file: str
    certificate_subject: str
    certificate_sha256: str


def find_font(name: str) -> Path | None:
    for folder in FONT_DIRS:
        found = next(iter(sorted(folder.rglob(name))), None) if folder.is_dir() else None
        if found is not None:
            return found
    return None


class ReportPdf(FPDF):
    """An A4 page with the report's title, code and page number on every page."""

    def __init__(self, document: Document, generated: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.document = document
        self.generated = generated
        self.family, self.mono = self._fonts()
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(10, 12, 10)

    def _fonts(self) -> tuple[str, str]:
        paths = {style: find_font(name) for style, name in FONTS.items()}
        if not all(paths.values()):
            return "helvetica", "courier"
        for style, path in paths.items():
            self.add_font("report", style, str(path))
        mono = find_font(MONO)
        if mono is not None:
            self.add_font("reportmono", "", str(mono))
        cjk = find_font(CJK)
        if cjk is not None:
            self.add_font("reportcjk", "", str(cjk))
            self.add_font("reportcjk", "B", str(cjk))
            self.set_fallback_fonts(["reportcjk"], exact_match=False)
        return "report", "reportmono" if mono is not None else "report"

    def header(self) -> None:
        self.set_font(self.family, "", _SMALL)
        doc = self.document
        self.cell(0, 4, f"CellTrace - {doc.title} - {doc.code}", new_x="LMARGIN", new_y="NEXT")
        self.cell(
            0,
            4,
            f"Generated from the ledger {self.generated}; digitally signed (PAdES)",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, "", _SMALL)
        self.cell(0, 4, f"page {self.page_no()} of {{nb}}", align="R")


def render(
    document: Document,
    verification: Verification,
    attachments: list[Attachment],
    generated_at: datetime,
    generated_for: str,
) -> bytes:
    """The report's PDF, unsigned. InvalidInput when its text needs a font that is missing."""
    generated = generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    pdf = ReportPdf(document, generated)
    pdf.set_title(f"{document.title} {document.code}")
    pdf.set_author("CellTrace")
    pdf.set_creator("CellTrace")
    pdf.set_creation_date(generated_at)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 15)
    pdf.multi_cell(0, 8, f"{document.title}: {document.code}", new_x="LMARGIN", new_y="NEXT")
    _paragraph(
        pdf,
        f"Generated from the CellTrace ledger on {generated} for {generated_for}. Every step "
        "cited names who signed it (printed name and person code), when (UTC) and the meaning "
        "of the signature; Appendix A gives the signed checkpoint and each cited event's hash, "
        "and the attached proofs let anyone check them offline (Appendix B).",
    )
    for section in document.sections:
        _heading(pdf, section.title)
        for block in section.blocks:
            _block(pdf, block)
    _appendix_a(pdf, document, verification)
    _appendix_b(pdf, document, verification)
    for attachment in attachments:
        pdf.embed_file(
            basename=attachment.name,
            bytes=attachment.body,
            desc=attachment.description,
            mime_type=attachment.mime,
            compress=True,
        )
    try:
        return bytes(pdf.output())
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            f"the {document.title.lower()} of {document.code} holds text the built-in PDF font "
            f"cannot print ({exc.object[exc.start : exc.end]!r}); install fonts-dejavu-core "
            "and fonts-wqy-microhei on the server"
        ) from None


def _heading(pdf: ReportPdf, title: str) -> None:
    pdf.ln(2)
    pdf.set_font(pdf.family, "B", 11)
    pdf.multi_cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "", _SIZE)


def _paragraph(pdf: ReportPdf, text: str, *, mono: bool = False) -> None:
    pdf.set_font(pdf.mono if mono else pdf.family, "", _SMALL if mono else _SIZE)
    pdf.multi_cell(0, 3.6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "", _SIZE)
    pdf.ln(1)


def _block(pdf: ReportPdf, block: Block) -> None:
    if isinstance(block, Text):
        _paragraph(pdf, block.text)
    elif isinstance(block, Facts):
        _table(pdf, Table(["", ""], [[k, v] for k, v in block.pairs], [45.0, 145.0]), heads=False)
    else:
        _table(pdf, block)


def _table(pdf: ReportPdf, table: Table, *, heads: bool = True) -> None:
    if not table.rows:
        _paragraph(pdf, "None recorded.")
        return
    pdf.set_font(pdf.family, "", _SMALL)
    bold = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
    with pdf.table(
        col_widths=tuple(table.widths) if table.widths else None,
        text_align="LEFT",
        line_height=3.2,
        first_row_as_headings=heads,
        headings_style=bold,
        repeat_headings=1,
        wrapmode=WrapMode.WORD,
        padding=0.8,
        width=pdf.epw,
    ) as drawn:
        for cells in [table.columns, *table.rows] if heads else table.rows:
            row = drawn.row()
            for cell in cells:
                row.cell(cell)
    pdf.set_font(pdf.family, "", _SIZE)
    pdf.ln(2)


def _appendix_a(pdf: ReportPdf, document: Document, verification: Verification) -> None:
    pdf.add_page()
    _heading(pdf, "Appendix A. The signed checkpoint and the events this report cites")
    _paragraph(
        pdf,
        f"Every event cited above is included in this signed checkpoint of the ledger's Merkle "
        f"log (size {verification.checkpoint_size}); the attached file "
        f"{verification.proof_file} holds each event's exact recorded bytes and its inclusion "
        "proof. The checkpoint, verbatim (c2sp.org/tlog-checkpoint, signed note):",
    )
    _paragraph(pdf, verification.checkpoint_note.rstrip("\n"), mono=True)
    rows = [
        [s.cited, s.event_hash, f"{s.item} v{s.version}", str(s.notification_id)]
        for s in document.cited_in_log_order()
    ]
    _table(
        pdf,
        Table(
            ["log #", "event hash (SHA-256, hex)", "item, version", "record"],
            rows,
            [14.0, 110.0, 46.0, 20.0],
        ),
    )


def _appendix_b(pdf: ReportPdf, document: Document, verification: Verification) -> None:
    _heading(pdf, "Appendix B. Checking this report offline")
    name = f"{document.code}-{document.kind}.pdf"
    lines = [
        "1. The PDF signature (PAdES) covers the whole file. Obtain the installation's report "
        "certificate independently (GET /api/v1/reports/certificate or `celltrace report "
        f"certificate`; subject {verification.certificate_subject}, SHA-256 fingerprint "
        f"{verification.certificate_sha256}), then run: pyhanko sign validate --pretty-print "
        f"--trust report-signing.crt --trust-replace {name}",
        "2. Extract the attached files, e.g. `pdfdetach -saveall` (poppler-utils) or pypdf: "
        f"{verification.proof_file} and {verification.keys_file}.",
        "3. Compare the log's verifier keys with those obtained independently (GET "
        "/api/v1/ledger/keys), then verify the proofs against the checkpoint with the "
        "standard-library verifier of an audit bundle: PYTHONPATH=VERIFIER python -m "
        f"ledger.integrity.offline --proof {verification.proof_file} --keys "
        f"{verification.keys_file}. It prints each event's log index and hash, as in "
        "Appendix A.",
        "4. Consistency with a checkpoint you kept earlier: GET /api/v1/ledger/proof/"
        f"consistency?old=M&new={verification.checkpoint_size}.",
    ]
    for line in lines:
        _paragraph(pdf, line)
