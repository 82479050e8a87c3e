"""The certificate of analysis of a lot (R-QC-1..3, §5.5, §5.7): the lot, its product and
specification, its expiry and storage, each required test's result that stands against the
specification, and QA's certification, by whom and when (R-QC-2, R-LED-5). Only a certified
lot has one: an uncertified lot's results so far are in its batch record.
"""

from __future__ import annotations

from ledger.errors import Conflict
from ledger.messages import Sentence
from ledger.reports.document import Document, Facts, Table, Text
from ledger.reports.lot import load_lot, lot_facts, result_steps, results_table, spec_rows
from ledger.reports.sources import Sources

KIND = "coa"
TITLE = "Certificate of analysis"


def certificate_of_analysis(sources: Sources, code: str) -> Document:
    record = load_lot(sources, code, "certificate of analysis")
    lot = record.lot
    certified = record.step("Certified")
    if not lot.certified or certified is None:
        raise Conflict(
            Sentence(
                "R-QC-2: {code} is not certified by QA, so it has no certificate of analysis; "
                "its results so far are in its batch record (celltrace report batch-record "
                "{code})",
                code=lot.code,
            )
        )
    doc = Document(KIND, TITLE, lot.code)
    doc.section("1. Lot", lot_facts(record))
    doc.cite(record.spec_steps)
    doc.section(
        f"2. Specification {lot.specification} version {lot.spec_version}",
        Table(
            ["test", "category", "method", "acceptance limit"],
            spec_rows(record.spec["tests"]),
            [40.0, 40.0, 60.0, 50.0],
        ),
    )
    doc.cite(result_steps(record, standing_only=True))
    doc.section(
        "3. Results against the specification",
        Text(
            "Each required test's result that stands (an OOS investigation may invalidate a "
            "result for an assignable cause; a retest then replaces it, R-QMS-1); tests the "
            "lot's genealogy made mandatory are included (R-QC-1)."
        ),
        results_table(record, standing_only=True),
    )
    doc.cite([certified])
    doc.section(
        "4. Certification (R-QC-2)",
        Text(
            f"{lot.code} meets specification {lot.specification} version {lot.spec_version}: "
            "every required test has a result within specification, and no OOS investigation "
            "or deviation concerning it was open when QA certified it (R-QMS-3)."
        ),
        Facts(
            [
                ("Certified by", certified.signature()),
                ("Date and time (UTC)", certified.at),
                ("Meaning of the signature", certified.meaning),
                ("Log #", certified.cited),
                ("Expiry", lot.expiry.isoformat()),
            ]
        ),
    )
    return doc
