"""Deviations and CAPA (R-QMS-2, R-QMS-3, R-QMS-4; §5, §8.2(3) 偏差): a deviation, planned or
unplanned, minor, major or critical, is recorded against items with its own code; a major or
critical one holds the items and everything made from them (the look-back's hold, R-DON-7).
While it is open no item it concerns, nor anything made from one, is certified, released by a
QP or given at the bedside. QA closes it, signed, with the impact assessment and its CAPA
references, which lifts its holds. A CAPA action has an owner, a due date and an effectiveness
check; the register lists the ones overdue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate, enum_problems
from ledger.domain.codes import CodedItem
from ledger.errors import RuleViolation, Violation

DEVIATION, CAPA_RULE = "R-QMS-2", "R-QMS-4"


class DeviationKind(StrEnum):
    PLANNED = "planned"
    UNPLANNED = "unplanned"


class Severity(StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


HOLDING = frozenset({Severity.MAJOR, Severity.CRITICAL})


class Deviation(CodedItem):
    """A deviation from procedure or specification, against the items it concerns."""

    @event("Opened")
    def __init__(
        self,
        code: str,
        kind: str,
        severity: str,
        items: list[str],
        concerned: list[str],
        description: str,
        change: str,
        discovered_on: date,
    ) -> None:
        self.code, self.kind, self.severity = code, kind, severity
        self.items, self.concerned = items, concerned
        self.description, self.change, self.discovered_on = description, change, discovered_on
        self.closed = False
        self.capas: list[str] = []

    @classmethod
    def record(
        cls,
        code: str,
        kind: str,
        severity: str,
        items: Sequence[str],
        concerned: Sequence[str],
        description: str,
        change: str,
        discovered_on: date,
    ) -> Deviation:
        problems = enum_problems(DeviationKind, kind, DEVIATION, "deviation kind")
        problems += enum_problems(Severity, severity, DEVIATION, "severity")
        if not items:
            problems.append(
                Violation.of(DEVIATION, "name the items the deviation concerns (scan them)")
            )
        if not description.strip():
            problems.append(Violation.of(DEVIATION, "describe the deviation"))
        if problems:
            raise RuleViolation(problems)
        return cls(
            code,
            kind,
            severity,
            list(items),
            list(concerned),
            description.strip(),
            change.strip(),
            discovered_on,
        )

    @property
    def holds_items(self) -> bool:
        return self.severity in HOLDING

    def plan_capa(self, capa: str) -> None:
        if self.closed:
            raise RuleViolation([self._closed_already()])
        self._capa_planned(capa)

    @event("CapaPlanned")
    def _capa_planned(self, capa: str) -> None:
        self.capas = [*self.capas, capa]

    def close(self, impact: str, root_cause: str, capas: Sequence[str]) -> None:
        """QA's signed closure with the impact assessment and the CAPA actions it relies on."""
        problems = [self._closed_already()] if self.closed else []
        if not impact.strip():
            problems.append(
                Violation.of(
                    DEVIATION,
                    "assess the impact of {code} on the items it concerns",
                    code=self.code,
                )
            )
        if not root_cause.strip():
            problems.append(
                Violation.of(DEVIATION, "give the root cause of {code}", code=self.code)
            )
        unknown = [c for c in capas if c not in self.capas]
        if unknown:
            problems.append(
                Violation.of(
                    CAPA_RULE,
                    "{capas:list} are not CAPA actions of {code}; its actions are {known:list}",
                    capas=unknown,
                    code=self.code,
                    known=self.capas or ["none"],
                )
            )
        if self.holds_items and not capas:
            problems.append(
                Violation.of(
                    DEVIATION,
                    "{code} is {severity:term}: close it with the CAPA actions it needs",
                    code=self.code,
                    severity=self.severity,
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._closed(impact.strip(), root_cause.strip(), list(capas))

    @event("Closed")
    def _closed(self, impact: str, root_cause: str, capas: list[str]) -> None:
        self.closed = True

    def _closed_already(self) -> Violation:
        return Violation.of(DEVIATION, "{code} is already closed", code=self.code)


class Capa(CodedItem):
    """A corrective or preventive action of a deviation (R-QMS-4)."""

    @event("Planned")
    def __init__(self, code: str, deviation: str, action: str, owner: str, due_on: date) -> None:
        self.code, self.deviation, self.action = code, deviation, action
        self.owner, self.due_on = owner, due_on
        self.done_on: date | None = None
        self.effective: bool | None = None

    @classmethod
    def plan(
        cls, code: str, deviation: str, action: str, owner: str, due_on: date, today: date
    ) -> Capa:
        problems = []
        if not action.strip():
            problems.append(Violation.of(CAPA_RULE, "describe the corrective or preventive action"))
        if due_on < today:
            problems.append(
                Violation.of(
                    CAPA_RULE, "the due date {due} is already past", due=due_on.isoformat()
                )
            )
        if problems:
            raise RuleViolation(problems)
        return cls(code, deviation, action.strip(), owner, due_on)

    def complete(self, done_on: date, note: str, today: date) -> None:
        problems = []
        if self.done_on is not None:
            problems.append(Violation.of(CAPA_RULE, "{code} is already done", code=self.code))
        if done_on > today:
            problems.append(
                Violation.of(CAPA_RULE, "{code} cannot be done in the future", code=self.code)
            )
        if problems:
            raise RuleViolation(problems)
        self._completed(done_on, note.strip())

    @event("Completed")
    def _completed(self, done_on: date, note: str) -> None:
        self.done_on = done_on

    def check_effectiveness(self, effective: bool, evidence: str) -> None:
        problems = []
        if self.done_on is None:
            problems.append(
                Violation.of(
                    CAPA_RULE,
                    "{code} is not done yet; check its effectiveness once done",
                    code=self.code,
                )
            )
        elif self.effective is not None:
            problems.append(
                Violation.of(
                    CAPA_RULE, "the effectiveness of {code} is already checked", code=self.code
                )
            )
        if not evidence.strip():
            problems.append(Violation.of(CAPA_RULE, "give the evidence of the effectiveness check"))
        if problems:
            raise RuleViolation(problems)
        self._effectiveness_checked(effective, evidence.strip())

    @event("EffectivenessChecked")
    def _effectiveness_checked(self, effective: bool, evidence: str) -> None:
        self.effective = effective


QUALITY_REGISTER_ID = uuid5(NAMESPACE_URL, "celltrace:quality-register")


class QualityRegister(LedgerAggregate):
    """The open deviations with the items they concern, and the CAPA actions not yet checked
    effective with their due dates: what certification, QP release and the bedside consult
    (R-QMS-3), and the overdue list (R-QMS-4)."""

    @event("Opened")
    def __init__(self) -> None:
        self.deviations: dict[str, list[str]] = {}  # open deviation -> concerned codes
        self.capas: dict[str, str] = {}  # CAPA not yet checked -> due date (ISO)

    @staticmethod
    def create_id() -> UUID:
        return QUALITY_REGISTER_ID

    @event("DeviationListed")
    def list_deviation(self, deviation: str, concerned: list[str]) -> None:
        self.deviations = {**self.deviations, deviation: concerned}

    @event("DeviationUnlisted")
    def unlist_deviation(self, deviation: str) -> None:
        self.deviations = {k: v for k, v in self.deviations.items() if k != deviation}

    @event("CapaListed")
    def list_capa(self, capa: str, due_on: str) -> None:
        self.capas = {**self.capas, capa: due_on}

    @event("CapaUnlisted")
    def unlist_capa(self, capa: str) -> None:
        self.capas = {k: v for k, v in self.capas.items() if k != capa}

    def open_concerning(self, codes: set[str]) -> list[str]:
        """The open deviations that concern any of `codes`."""
        return sorted(d for d, concerned in self.deviations.items() if codes & set(concerned))

    def overdue(self, today: date) -> list[str]:
        return sorted(c for c, due in self.capas.items() if date.fromisoformat(due) < today)
