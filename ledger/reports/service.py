"""Signed reports from the ledger (docs/reports.md): build one, cover the events it cites with a
signed checkpoint (signing a new one when the latest does not cover them yet, as the item proof
does), attach their inclusion proofs and the log's verifier keys, draw it, sign it with the
installation's key (PAdES) and record who generated it in the access log (R-ACC-2).

The CLI and the API call `generate`; they decide who the reader is and what they may read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ledger.integrity.proofs import TransparencyLog
from ledger.integrity.tlog_proof import format_report_proof
from ledger.reports import batch_record, coa, patient, qp_release
from ledger.reports.document import Document
from ledger.reports.kinds import SUBJECTS
from ledger.reports.render import Attachment, Verification, render
from ledger.reports.signing import sign_pdf
from ledger.reports.sources import Reader, Sources
from ledger.stores.access_log import AccessLog
from ledger.stores.report_key import ReportIdentity

Builder = Callable[[Sources, str], Document]

#: Every kind of report by the name the CLI and the API use.
BUILDERS: dict[str, Builder] = {
    batch_record.KIND: batch_record.batch_record,
    coa.KIND: coa.certificate_of_analysis,
    qp_release.KIND: qp_release.qp_release,
    patient.KIND: patient.patient_report,
}
#: What each kind of report is about, for help texts.
# every report module's kind is named, with its subject, in ledger.reports.kinds
assert set(SUBJECTS) == {batch_record.KIND, coa.KIND, qp_release.KIND, patient.KIND}
KEYS_FILE = "log-keys.txt"


@dataclass(frozen=True)
class SignedReport:
    kind: str
    code: str
    pdf: bytes
    cited: int  # events cited, each proven in the attached file
    checkpoint_size: int

    @property
    def filename(self) -> str:
        return f"{self.code}-{self.kind}.pdf"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def generate(
    kind: str,
    code: str,
    sources: Sources,
    log: TransparencyLog,
    identity: ReportIdentity,
    now: datetime | None = None,
) -> SignedReport:
    """The signed PDF of report `kind` about `code`. The read models and the Merkle log must
    include everything recorded so far (the caller waits for them)."""
    document = BUILDERS[kind](sources, code)
    cited = document.cited_in_log_order()
    nids = [s.notification_id for s in cited]
    checkpoint = log.covering(nids)
    proofs = format_report_proof(kind, document.code, log.proven(nids, checkpoint), checkpoint.note)
    proof_file = f"{document.code}-{kind}.proof.txt"
    verification = Verification(
        checkpoint_note=checkpoint.note,
        checkpoint_size=checkpoint.size,
        proof_file=proof_file,
        keys_file=KEYS_FILE,
        certificate_subject=identity.subject(),
        certificate_sha256=identity.fingerprint(),
    )
    attachments = [
        Attachment(
            proof_file,
            proofs.encode(),
            "celltrace/report-proof@v1: every cited event's record and inclusion proof, and "
            "the signed checkpoint",
        ),
        Attachment(KEYS_FILE, log.keys().encode(), "the log's verifier keys as published"),
    ]
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    reader = sources.reader
    pdf = render(document, verification, attachments, moment, f"{reader.person} ({reader.role})")
    signed = sign_pdf(
        pdf,
        identity,
        reason=f"{document.title} of {document.code}, generated from the CellTrace ledger",
        location=sources.ledger.settings.facility,
    )
    return SignedReport(kind, document.code, signed, len(cited), checkpoint.size)


def record_report(
    access_log: AccessLog, report: SignedReport, reader: Reader, via: str, at: datetime
) -> None:
    """Who generated which report, when, through what, with the SHA-256 of the signed file
    (R-ACC-2): action `report:<kind>`, subject the code it is about."""
    access_log.append(
        at, reader.person, reader.role, f"report:{report.kind}", report.code, via, "", report.sha256
    )
