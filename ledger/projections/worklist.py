"""Work in progress, for the dashboards (R-QC-2, R-QMS-1, R-QMS-4, R-SHP-2, R-SHP-5, R-CLN-4,
R-CLN-6, R-CLN-9, R-CLN-10): what awaits someone, kept by the items projection as events
arrive, so a dashboard counts rows instead of replaying aggregates.

Two tables. `worklist` holds one row per open piece of work the items table cannot show by
itself: a lot awaiting QC results or QA certification (or QA's decision on a quarantined lot),
an open OOS investigation, an open deviation and a CAPA action not yet shown effective, a
shipment's or a storage unit's excursion awaiting assessment, a follow-up visit, and a serious
adverse event's or a study decision's report and follow-up, each with its due date where it
has one. `lot_qc` keeps what a lot's place on the list is computed from: its required tests,
its results (struck or invalidated ones marked) and its investigations.

What the items table already shows (shipments in transit or awaiting QP release, items on hold,
expiry dates, bank vials in storage) is counted from it directly (`ledger.api` worklists).
Like every projection this module reads stored events' fields by name and imports no domain
class (STYLE.md "Layers").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from sqlalchemy import BigInteger, Column, Index, String, Table, Text

from ledger.storage.tables import metadata

worklist_table = Table(
    "worklist",
    metadata,
    Column("kind", String(24), primary_key=True),
    Column("code", String(40), primary_key=True),  # the item the work is on
    Column("key", String(80), primary_key=True),  # which one of the item's ("" = the item)
    Column("due", String(10)),  # ISO 8601 date, for work with a deadline
    Column("detail", Text, nullable=False, default="{}"),  # JSON: what the entry names
    Column("since", String(40), nullable=False),  # ISO 8601, UTC: when the work arose
    Column("notification_id", BigInteger, nullable=False),
    Index("worklist_by_kind", "kind", "due", "code"),
)
DUE, DETAIL = 3, 4  # where a worklist row's due date and detail are

lot_qc_table = Table(
    "lot_qc",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("state", Text, nullable=False),  # JSON, see LotQc
)

# Kinds of work kept in the worklist table.
QC_RESULTS = "qc_results"  # a lot missing results of required tests (R-QC-1)
CERTIFICATION = "certification"  # every required test passed: QA certifies (R-QC-2)
LOT_DECISION = "lot_decision"  # quarantined with no open investigation: QA rejects (R-QMS-5)
OOS = "oos"  # an open OOS investigation (R-QMS-1)
DEVIATION = "deviation"  # an open deviation (R-QMS-2)
CAPA = "capa"  # a CAPA action not done, or done and not yet shown effective (R-QMS-4)
EXCURSION = "excursion"  # a temperature excursion awaiting QA's assessment (R-SHP-2, R-SHP-5)
VISIT = "visit"  # a follow-up visit not yet recorded (R-CLN-6, R-CLN-10)
SAE_REPORT = "sae_report"  # a serious adverse event's report not yet filed (R-CLN-4)
SAE_FOLLOW_UP = "sae_follow_up"  # a serious adverse event followed until resolved (R-CLN-10)
HALT_REPORT = "halt_report"  # the report on a pause, resumption or termination (R-CLN-9)
#: Every kind of work this table keeps.
WORKLIST_KINDS = frozenset(
    {
        QC_RESULTS,
        CERTIFICATION,
        LOT_DECISION,
        OOS,
        DEVIATION,
        CAPA,
        EXCURSION,
        VISIT,
        SAE_REPORT,
        SAE_FOLLOW_UP,
        HALT_REPORT,
    }
)

LOTS = frozenset({"ProductLot", "PlaceboLot"})
SAE_FOLLOW_UP_DAYS = 30  # as ledger.domain.adverse_event says (R-CLN-10)


class WorkStore(Protocol):
    """Where the worklist and the lots' QC state are kept while a transaction of the items
    view runs (`ItemsView`): read with what the transaction wrote so far, written with it."""

    def work_entry(self, key: tuple[str, str, str]) -> tuple[Any, ...] | None:
        """The worklist row (kind, code, key, due, detail, since, notification_id)."""

    def put_work(self, key: tuple[str, str, str], row: tuple[Any, ...] | None) -> None:
        """Put the row (None: remove it)."""

    def lot_state(self, code: str) -> str | None:
        """A lot's QC state (JSON)."""

    def put_lot(self, code: str, state: str) -> None: ...

    def end_visits_after(self, code: str, due: str) -> None:
        """Remove the item's visits due after `due`."""


class WorkEntries:
    """What each event does to the worklist, by the event's class name: a handler is given the
    event's `Context` and its fields (called by the items projection inside its transaction)."""

    def __init__(self, store: WorkStore) -> None:
        self.store = store
        self._handlers: dict[str, Callable[..., None]] = {
            "Purified": self._lot_made,
            "Formulated": self._lot_made,
            "TestResultRecorded": self._result,
            "EntryCorrected": self._corrected,
            "OosInvestigationOpened": self._oos_opened,
            "OosConcluded": self._oos_concluded,
            "Quarantined": self._lot_flag,
            "QuarantineLifted": self._lot_flag,
            "Certified": self._lot_flag,
            "Rejected": self._lot_flag,
            "Closed": self._closed,
            "Opened": self._deviation_opened,
            "Planned": self._capa_planned,
            "Completed": self._capa_completed,
            "EffectivenessChecked": self._capa_checked,
            "ExcursionFound": self._excursion_found,
            "ExcursionAssessed": self._excursion_assessed,
            "Administered": self._administered,
            "Exited": self._exited,
            "VisitCompleted": self._visit_completed,
            "ConsentWithdrawn": self._withdrawn,
            "AdverseEventReported": self._adverse_event,
            "ReportRecorded": self._sae_reported,
            "AdverseEventFollowedUp": self._sae_followed_up,
            "PausedFor": self._halt,
            "ResumedBy": self._halt,
            "TerminatedBy": self._halt,
            "HaltReported": self._halt_reported,
        }

    def handler(self, name: str) -> Callable[[Context, dict[str, Any]], None] | None:
        """What an event of class `name` does to the worklist (None: nothing)."""
        return self._handlers.get(name)

    # --- lots: QC results, certification, OOS (R-QC-1, R-QC-2, R-QMS-1, R-QMS-5) ----------

    def _lot_made(self, at: Context, fields: dict[str, Any]) -> None:
        if at.aggregate not in LOTS:
            return
        state = {
            "required": list(fields["terms"]["required_tests"]),
            "results": {},
            "struck": [],
            "oos": {},
            "quarantined": False,
            "done": False,
        }
        at.save_lot(state)

    def _result(self, at: Context, fields: dict[str, Any]) -> None:
        state = at.lot()
        if state is None:
            return
        result = fields["result"]
        state["results"][str(at.version)] = [result["test"], result["in_spec"]]
        at.save_lot(state)

    def _corrected(self, at: Context, fields: dict[str, Any]) -> None:
        if fields.get("corrected_event") != "TestResultRecorded":
            return
        state = at.lot()
        if state is not None:
            state["struck"].append(str(fields["corrected_version"]))
            at.save_lot(state)

    def _oos_opened(self, at: Context, fields: dict[str, Any]) -> None:
        state = at.lot()
        if state is None:
            return
        number = str(fields["number"])
        state["oos"][number] = [str(fields["result"]), "open"]
        at.save_lot(state)
        detail = {"number": fields["number"], "test": fields["test"]}
        at.open(OOS, number, None, detail)

    def _oos_concluded(self, at: Context, fields: dict[str, Any]) -> None:
        state = at.lot()
        if state is None:
            return
        number = str(fields["number"])
        state["oos"][number][1] = fields["outcome"]
        at.save_lot(state)
        at.close(OOS, number)

    def _lot_flag(self, at: Context, fields: dict[str, Any]) -> None:
        state = at.lot()
        if state is None:
            return
        name = at.name
        if name == "Quarantined":
            state["quarantined"] = True
        elif name == "QuarantineLifted":
            state["quarantined"] = False
        else:  # certified or rejected: nothing more awaits the lot's QC
            state["done"] = True
        at.save_lot(state)

    def _closed(self, at: Context, fields: dict[str, Any]) -> None:
        if at.aggregate in LOTS:
            self._lot_flag(at, fields)
        elif at.aggregate == "Deviation":  # a deviation's closure (R-QMS-2)
            at.close(DEVIATION, "")

    # --- deviations and CAPA (R-QMS-2, R-QMS-4) ------------------------------------------

    def _deviation_opened(self, at: Context, fields: dict[str, Any]) -> None:
        if at.aggregate == "Deviation":
            detail = {"severity": fields["severity"], "kind": fields["kind"]}
            at.open(DEVIATION, "", None, detail)

    def _capa_planned(self, at: Context, fields: dict[str, Any]) -> None:
        if at.aggregate != "Capa":
            return
        due = _iso(fields["due_on"])
        at.open(CAPA, "", due, {"deviation": fields["deviation"], "state": "planned"})

    def _capa_completed(self, at: Context, fields: dict[str, Any]) -> None:
        if at.aggregate == "Capa":
            at.update(CAPA, "", {"state": "done"})

    def _capa_checked(self, at: Context, fields: dict[str, Any]) -> None:
        if at.aggregate != "Capa":
            return
        if fields["effective"]:
            at.close(CAPA, "")
        else:  # an ineffective action stays on the list (R-QMS-4)
            at.update(CAPA, "", {"state": "ineffective"})

    # --- excursions (R-SHP-2, R-SHP-5) ------------------------------------------------------

    def _excursion_found(self, at: Context, fields: dict[str, Any]) -> None:
        at.open(EXCURSION, "", None, {"rule": str(fields.get("rule", ""))})

    def _excursion_assessed(self, at: Context, fields: dict[str, Any]) -> None:
        at.close(EXCURSION, "")

    # --- follow-up visits (R-CLN-6, R-CLN-10) ----------------------------------------------

    def _administered(self, at: Context, fields: dict[str, Any]) -> None:
        for visit in fields.get("visits") or ():
            self._visit(at, visit)

    def _exited(self, at: Context, fields: dict[str, Any]) -> None:
        self._visit(at, fields["visit"])

    def _visit(self, at: Context, visit: dict[str, Any]) -> None:
        if visit.get("done_on") is None:
            detail = {"number": visit["number"], "label": visit["label"]}
            at.open(VISIT, _visit_key(visit["number"], visit["label"]), _iso(visit["due"]), detail)

    def _visit_completed(self, at: Context, fields: dict[str, Any]) -> None:
        at.close(VISIT, _visit_key(fields["number"], fields["label"]))

    def _withdrawn(self, at: Context, fields: dict[str, Any]) -> None:
        """A subject's withdrawal ends the visits scheduled after it (R-CLN-9)."""
        on = fields.get("withdrawn_on")
        if on is None:
            return
        at.store.end_visits_after(at.code, _iso(on))

    # --- adverse events and study decisions (R-CLN-4, R-CLN-9, R-CLN-10) --------------------

    def _adverse_event(self, at: Context, fields: dict[str, Any]) -> None:
        found = fields["adverse_event"]
        if not found.get("serious"):
            return
        key = str(found["number"])
        detail = {"number": found["number"], "patient": found["patient"]}
        if found.get("report_due") is not None and found.get("reported_on") is None:
            at.open(SAE_REPORT, key, _iso(found["report_due"]), detail)
        follow_up = date.fromordinal(found["aware_on"].toordinal() + SAE_FOLLOW_UP_DAYS)
        at.open(SAE_FOLLOW_UP, key, follow_up.isoformat(), detail)

    def _sae_reported(self, at: Context, fields: dict[str, Any]) -> None:
        at.close(SAE_REPORT, str(fields["number"]))

    def _sae_followed_up(self, at: Context, fields: dict[str, Any]) -> None:
        key = str(fields["number"])
        if fields["resolved"]:
            at.close(SAE_FOLLOW_UP, key)
            return
        next_due = date.fromordinal(fields["on"].toordinal() + SAE_FOLLOW_UP_DAYS)
        at.set_due(SAE_FOLLOW_UP, key, next_due.isoformat())

    def _halt(self, at: Context, fields: dict[str, Any]) -> None:
        halt = fields["halt"]
        if halt.get("reported_on") is None:
            detail = {"number": halt["number"], "action": halt["action"], "by": halt["by"]}
            at.open(HALT_REPORT, str(halt["number"]), _iso(halt["report_due"]), detail)

    def _halt_reported(self, at: Context, fields: dict[str, Any]) -> None:
        at.close(HALT_REPORT, str(fields["number"]))


class Context:
    """One event being applied: where it writes and what it concerns."""

    def __init__(
        self,
        store: WorkStore,
        code: str,
        aggregate: str,
        name: str,
        version: int,
        since: str,
        position: int,
    ) -> None:
        self.store, self.code, self.aggregate, self.name = store, code, aggregate, name
        self.version, self.since, self.position = version, since, position

    def open(self, kind: str, key: str, due: str | None, detail: dict[str, Any]) -> None:
        """Put a piece of work on the list (or renew it)."""
        row = (
            kind,
            self.code,
            key,
            due,
            json.dumps(detail, sort_keys=True),
            self.since,
            self.position,
        )
        self.store.put_work((kind, self.code, key), row)

    def close(self, kind: str, key: str) -> None:
        self.store.put_work((kind, self.code, key), None)

    def update(self, kind: str, key: str, detail: dict[str, Any]) -> None:
        row = self.store.work_entry((kind, self.code, key))
        if row is not None:
            merged = {**json.loads(row[DETAIL]), **detail}
            changed = (*row[:DETAIL], json.dumps(merged, sort_keys=True), *row[DETAIL + 1 :])
            self.store.put_work((kind, self.code, key), changed)

    def set_due(self, kind: str, key: str, due: str) -> None:
        row = self.store.work_entry((kind, self.code, key))
        if row is not None:
            self.store.put_work((kind, self.code, key), (*row[:DUE], due, *row[DUE + 1 :]))

    # --- a lot's QC state -------------------------------------------------------------------

    def lot(self) -> dict[str, Any] | None:
        if self.aggregate not in LOTS:
            return None
        state = self.store.lot_state(self.code)
        return None if state is None else dict(json.loads(state))

    def save_lot(self, state: dict[str, Any]) -> None:
        """Store the lot's QC state and put the lot on the one list it belongs on now."""
        self.store.put_lot(self.code, json.dumps(state, sort_keys=True))
        for listed in (QC_RESULTS, CERTIFICATION, LOT_DECISION):
            self.close(listed, "")
        kind, detail = lot_work(state)
        if kind is not None:
            self.open(kind, "", None, detail)


def lot_work(state: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """Which list a lot is on: missing results of required tests, ready for QA to certify,
    or quarantined with every investigation concluded (QA decides); none once decided."""
    if state["done"]:
        return None, {}
    if any(outcome == "open" for _, outcome in state["oos"].values()):
        return None, {}  # on the OOS list
    if state["quarantined"]:
        return LOT_DECISION, {}
    # an invalidated result was out of specification: only a struck one could have passed
    struck = set(state["struck"])
    passed = {
        test for v, (test, in_spec) in state["results"].items() if in_spec and v not in struck
    }
    missing = [t for t in state["required"] if t not in passed]
    if missing:
        return QC_RESULTS, {"missing": missing}
    return CERTIFICATION, {}


def _visit_key(number: Any, label: Any) -> str:
    return f"{number}:{label}"


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
