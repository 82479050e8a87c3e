"""Printing labels and badges, and accounting for every label printed (R-ID-2, R-ACC-2): ZPL
straight to a registered Zebra printer, the PDF label sheet of a fill run, person badges, and a
fill run's label reconciliation, read from the access log.

Wiring at the entry points' level, like `ledger.labels` (whose label content it reuses, so a
blinded kit's label never shows its arm, R-ID-3): it loads items through the application,
renders with `label_printing` and records each print in the access log, only once it was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from label_printing.cli import RenderOptions, load_signer, render_label, sheet_pdf
from label_printing.content import LabelContent
from label_printing.zebra import SendFailed, send_labels
from ledger.application import CellTraceLedger
from ledger.domain.lineage import DerivedItem
from ledger.errors import InvalidInput, Unreachable
from ledger.identifiers import ItemType, parse_code
from ledger.labels import badge_content, fill_run, label_content
from ledger.messages import Sentence
from ledger.stores.access_log import PRINT_BADGE, AccessLog
from ledger.stores.printers import Printer, printed_via, printer_of

MAX_LABELS = 1000
"""Most labels one print request sends (a fill run is far smaller)."""


@dataclass(frozen=True)
class Who:
    """Who prints, as what, when and through which request or command (R-ACC-2)."""

    person: str
    role: str
    at: datetime
    via: str


def labels_to_print(
    app: CellTraceLedger, codes: Sequence[str], lot: str | None
) -> list[LabelContent]:
    """The labels of the items `codes`, or of every item of the fill run `lot`, each once."""
    if bool(codes) == bool(lot):
        raise InvalidInput(
            Sentence(
                "R-ID-2: give either the codes of the items to label or the code of one fill "
                "run (lot), not both and not neither"
            )
        )
    wanted = fill_run(app, lot) if lot else list(dict.fromkeys(str(parse_code(c)) for c in codes))
    if len(wanted) > MAX_LABELS:
        raise InvalidInput(
            Sentence(
                "R-ID-2: {count} labels are more than one print request sends ({most}); print "
                "them in parts",
                count=len(wanted),
                most=MAX_LABELS,
            )
        )
    return [label_content(app, code) for code in wanted]


def print_on(
    app: CellTraceLedger,
    log: AccessLog,
    printer: Printer,
    contents: Sequence[LabelContent],
    reason: str,
    who: Who,
) -> list[str]:
    """Send the labels' ZPL, at the printer's resolution, to its raw port; then record each
    label sent (R-ACC-2). A label printed before needs `reason` (R-ID-2). When the printer
    cannot be reached nothing is recorded; when it drops the connection, the labels sent in
    full before are recorded and the rest are not. Returns the codes printed."""
    log.check_reprint([str(c.code) for c in contents], reason, '"reason" in the request')
    bodies = _zpl(app, printer, contents)
    via = printed_via(printer, who.via)
    try:
        send_labels(printer.spec.address, list(bodies.values()))
    except SendFailed as failed:
        sent = dict(list(bodies.items())[: failed.sent])
        log.record_prints(who.at, who.person, who.role, sent, via, reason)
        raise _unreachable(printer, failed, list(sent), len(bodies)) from None
    log.record_prints(who.at, who.person, who.role, bodies, via, reason)
    return list(bodies)


def _zpl(
    app: CellTraceLedger, printer: Printer, contents: Sequence[LabelContent]
) -> dict[str, bytes]:
    signer, base = load_signer(app.settings), app.settings.base_url
    options = RenderOptions(dpi=printer.spec.dpi)
    return {str(c.code): render_label(c, "zpl", signer, base, options) for c in contents}


class PrinterUnreachable(Unreachable):
    """The printer did not take the labels (503; the CLI exits 3); nothing unsent is recorded."""

    rule = "R-ID-2"


def _unreachable(
    printer: Printer, failed: SendFailed, sent: list[str], total: int
) -> PrinterUnreachable:
    if not sent:
        return PrinterUnreachable(
            Sentence(
                "R-ID-2: printer {name} at {address} could not be reached ({problem}); nothing "
                "was printed or recorded: check that it is switched on, online and on the "
                "network, then print again",
                name=printer.name,
                address=str(printer.spec.address),
                problem=failed.problem,
            )
        )
    return PrinterUnreachable(
        Sentence(
            "R-ID-2: printer {name} at {address} stopped after {count} of {total} labels "
            "({problem}); those sent are recorded as printed ({codes:list}), the others are "
            "not: check the printer, then print the others again",
            name=printer.name,
            address=str(printer.spec.address),
            count=len(sent),
            total=total,
            problem=failed.problem,
            codes=sent,
        )
    )


def lot_sheet(app: CellTraceLedger, log: AccessLog, code: str, reason: str, who: Who) -> bytes:
    """The PDF label sheet of a fill run (as `celltrace labels --lot`), each label recorded as
    printed with the sheet's hash; labels printed before need `reason`."""
    contents = [label_content(app, child) for child in fill_run(app, code)]
    codes = [str(c.code) for c in contents]
    log.check_reprint(codes, reason, "?reason=")
    sheet = sheet_pdf(contents, load_signer(app.settings), app.settings.base_url)
    log.record_prints(who.at, who.person, who.role, dict.fromkeys(codes, sheet), who.via, reason)
    return sheet


def badge(app: CellTraceLedger, log: AccessLog, code: str, reason: str, ask: str) -> Badge:
    """A person's badge as a one-page PDF; a badge printed before needs `reason` (`ask` says
    how to give it). Record it with `Badge.record` once it was handed over."""
    content = badge_content(app, code)
    person = str(content.code)
    log.check_reprint([person], reason, ask, PRINT_BADGE)
    pdf = render_label(content, "pdf", load_signer(app.settings), app.settings.base_url)
    return Badge(person, pdf, reason)


@dataclass(frozen=True)
class Badge:
    """A rendered badge: whose, the PDF, and the reason for a reprint."""

    person: str
    pdf: bytes
    reason: str

    def record(self, log: AccessLog, who: Who) -> None:
        """Who printed whose badge, when, through what (R-ACC-2)."""
        printed = {self.person: self.pdf}
        log.record_prints(who.at, who.person, who.role, printed, who.via, self.reason, PRINT_BADGE)


@dataclass(frozen=True)
class LabelPrint:
    """One recorded print of a label: when, by whom, as what, why (a reprint), where to."""

    at: str
    person: str
    role: str
    printer: str | None  # None: a file (download, PDF sheet, command line)
    via: str
    reason: str
    payload_sha256: str


@dataclass(frozen=True)
class VialLabels:
    """The prints of one vial's label, oldest first, and whether the vial was destroyed."""

    code: str
    destroyed: bool
    prints: tuple[LabelPrint, ...]

    @property
    def reprints(self) -> tuple[LabelPrint, ...]:
        return self.prints[1:]


@dataclass(frozen=True)
class LabelReconciliation:
    """Labels printed for a fill run, vial by vial, from the access log (R-ACC-2)."""

    fill_run: str
    vials: tuple[VialLabels, ...]

    def totals(self) -> dict[str, int]:
        labelled = [v for v in self.vials if v.prints]
        return {
            "filled": len(self.vials),
            "labelled": len(labelled),
            "never_labelled": len(self.vials) - len(labelled),
            "reprinted": sum(1 for v in self.vials if v.reprints),
            "prints": sum(len(v.prints) for v in self.vials),
            "destroyed": sum(1 for v in self.vials if v.destroyed),
            "destroyed_labelled": sum(1 for v in labelled if v.destroyed),
        }

    def never_labelled(self) -> list[str]:
        return [v.code for v in self.vials if not v.prints]


def reconcile(app: CellTraceLedger, log: AccessLog, code: str) -> LabelReconciliation:
    """For each item of the fill run `code`: every print of its label (reprints with their
    reasons, who, which printer or file) and whether it was destroyed."""
    codes = fill_run(app, code)
    found: dict[str, list[LabelPrint]] = {c: [] for c in codes}
    for entry in log.prints(codes):
        found[entry.subject].append(
            LabelPrint(
                entry.at,
                entry.person,
                entry.role,
                printer_of(entry.via),
                entry.via,
                entry.reason,
                entry.payload_sha256,
            )
        )
    vials = tuple(VialLabels(c, _destroyed(app, c), tuple(found[c])) for c in codes)
    return LabelReconciliation(str(parse_code(code)), vials)


def _destroyed(app: CellTraceLedger, code: str) -> bool:
    kinds = (ItemType.PRODUCT_VIAL, ItemType.BANK_VIAL)
    return app.load(code, kinds, DerivedItem).disposal is not None
