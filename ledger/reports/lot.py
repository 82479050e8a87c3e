"""What a lot's records share (R-QC-1..3, R-QMS-1, R-ACC-5): the lot a code names (a placebo
lot only for a reader who may open its study's seals), its facts, its specification and its
QC results against it, each with the step that recorded it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ledger.domain.oos import Outcome
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import TemperatureRange
from ledger.domain.quality import describe_limit
from ledger.domain.specification import SpecTest, SpecVersion, specification_id
from ledger.errors import NotAuthorised, Violation
from ledger.identifiers import ItemType, parse_code
from ledger.projections.items import items_table
from ledger.reports.document import Facts, Step, Table, signed_by
from ledger.reports.sources import Sources

SEALED_READERS = ["qa", "unblinded"]


@dataclass(frozen=True)
class LotRecord:
    """A lot with its specification version and its own steps, by event version."""

    lot: ProductLot
    spec: SpecVersion
    spec_steps: list[Step]
    steps: dict[int, Step]
    status: str

    @property
    def code(self) -> str:
        return self.lot.code

    def step(self, event_name: str) -> Step | None:
        """The lot's last step of this event name (e.g. "Certified")."""
        found = [s for s in self.steps.values() if s.event_type.rsplit(".", 1)[-1] == event_name]
        return found[-1] if found else None

    def kind(self) -> str:
        blinding = self.lot.blinding
        if self.lot.placebo:
            return f"placebo lot of the blinded study {blinding['study'] if blinding else '-'}"
        if blinding is not None:
            return f"product lot of the blinded study {blinding['study']} (active)"
        return "product lot"


def load_lot(sources: Sources, code: str, record: str) -> LotRecord:
    """The lot `code` names, for a `record` ("batch record", ...): 422 for a code that is not
    a lot's, 404 for an unknown lot, 403 for a placebo lot when the reader may not open its
    study's seals (R-ACC-5)."""
    ledger = sources.ledger
    parsed = str(parse_code(code, ItemType.PRODUCT_LOT))
    lot = ledger.load(parsed, ItemType.PRODUCT_LOT, ProductLot)
    if lot.placebo and not sources.reader.may_see_sealed:
        raise NotAuthorised(
            [
                Violation.of(
                    "R-ACC-5",
                    "{code} is the placebo lot of the blinded study {study}; its {record} is "
                    "given only to the roles that may open the study's seals ({readers:terms}); "
                    "sign in to the API with one of them",
                    code=lot.code,
                    study=lot.blinding["study"] if lot.blinding else "-",
                    record=record,
                    readers=SEALED_READERS,
                )
            ]
        )
    spec = ledger.get_specification(lot.specification).versions[lot.spec_version]
    spec_steps = sources.steps.of_aggregate(
        specification_id(lot.specification), f"{lot.specification} (specification)"
    )
    steps = {s.version: s for s in sources.steps.of_item(lot.code)}
    with sources.engine.connect() as conn:
        status = conn.execute(
            select(items_table.c.status).where(items_table.c.code == lot.code)
        ).scalar()
    return LotRecord(lot, spec, spec_steps, steps, str(status or ""))


def lot_facts(record: LotRecord) -> Facts:
    """The lot's identity, specification, expiry and storage (R-QC-3)."""
    lot, spec = record.lot, record.spec
    issued = record.spec_steps[0] if record.spec_steps else None
    made = record.steps.get(1)
    return Facts(
        [
            ("Lot", lot.code),
            ("Kind", record.kind()),
            ("Product", lot.product),
            ("Specification", f"{lot.specification} version {lot.spec_version}"),
            ("Specification issued", signed_by(issued)),
            ("Made", signed_by(made)),
            ("Volume", f"{lot.volume_ml:g} mL ({lot.filled_ml:g} mL filled)"),
            ("Expiry", lot.expiry.isoformat()),
            ("Stability study", spec["stability"]["study_ref"]),
            ("Storage", _range(lot.storage)),
            ("Transport", _range(lot.transport)),
            ("Status now", record.status or "-"),
        ]
    )


def _range(band: TemperatureRange) -> str:
    return f"{band['min_c']:g} to {band['max_c']:g} C"


RESULT_COLUMNS = [
    "test",
    "method",
    "specification",
    "result",
    "verdict",
    "laboratory, report, tested on",
    "recorded by",
    "log #",
]
RESULT_WIDTHS = [26.0, 22.0, 18.0, 16.0, 14.0, 30.0, 30.0, 10.0]


def results_table(record: LotRecord, *, standing_only: bool = False) -> Table:
    """Every required test with its result(s) against the specification (R-QC-1, R-QC-2): the
    results that stand, and (unless `standing_only`) those an OOS investigation invalidated or
    a correction struck out, marked so; a required test without a result says so."""
    lot = record.lot
    by_name: dict[str, SpecTest] = {t["test"]: t for t in record.spec["tests"]}
    invalidated = {
        i["result"]: n for n, i in lot.investigations.items() if i["outcome"] == Outcome.INVALIDATED
    }
    rows: list[list[str]] = []
    tests = [
        *lot.required_tests,
        *sorted({r["test"] for r in lot.results.values()} - set(lot.required_tests)),
    ]
    for test in tests:
        found = [(v, r) for v, r in sorted(lot.results.items()) if r["test"] == test]
        if not found:
            limit = _limit(by_name.get(test))
            rows.append([test, "-", limit, "no result", "MISSING", "-", "-", "-"])
            continue
        for version, result in found:
            gone = invalidated.get(version)
            struck = lot.is_struck(version)
            if standing_only and (gone is not None or struck):
                continue
            step = record.steps.get(version)
            verdict = "in spec" if result["in_spec"] else "OUT OF SPEC"
            if gone is not None:
                verdict += f"; invalidated (OOS investigation {gone})"
            elif struck:
                verdict += "; struck out"
            lab = result["laboratory"] + (" (third party)" if result["third_party"] else "")
            rows.append(
                [
                    test,
                    result["method"],
                    result["limit"] or _limit(by_name.get(test)),
                    f"{result['value']} {result['unit']}".strip(),
                    verdict,
                    f"{lab}; {result['report_ref']}; {result['tested_on']}",
                    f"{step.signer}, {step.at}" if step else "-",
                    step.cited if step else "-",
                ]
            )
    return Table(RESULT_COLUMNS, rows, RESULT_WIDTHS)


def _limit(test: SpecTest | None) -> str:
    return "-" if test is None else describe_limit(test)


def result_steps(record: LotRecord, *, standing_only: bool = False) -> list[Step]:
    """The steps that recorded the lot's QC results."""
    lot = record.lot
    kept = {id(r) for r in lot.standing_results()} if standing_only else None
    return [
        record.steps[v]
        for v, r in sorted(lot.results.items())
        if v in record.steps and (kept is None or id(r) in kept)
    ]


def disposition_steps(record: LotRecord) -> list[Step]:
    """The lot's quarantines, OOS conclusions and QA's decisions on it."""
    names = {
        "Quarantined",
        "QuarantineLifted",
        "OosInvestigationOpened",
        "OosFindingRecorded",
        "OosConcluded",
        "Certified",
        "Rejected",
        "Disposed",
        "Closed",
        "PutOnHold",
        "HoldLifted",
    }
    return [s for s in record.steps.values() if s.event_type.rsplit(".", 1)[-1] in names]


def spec_rows(tests: Sequence[SpecTest]) -> list[list[str]]:
    return [[t["test"], t["category"].replace("_", " "), t["method"], _limit(t)] for t in tests]
