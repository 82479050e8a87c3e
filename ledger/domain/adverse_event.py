"""Adverse events of a study (R-CLN-4, §7.3.1, §7.3.3): each linked to an administration and
graded; a serious one pauses the whole study at once, so no site may administer, until a
signed ethics-committee decision resumes or terminates it; the report on a serious event is
due within 5 working days and overdue reports are listed.

The events live on the study, so that one transaction both records a serious event and pauses
every site.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, TypedDict

from eventsourcing.domain import event

from ledger.domain.codes import CodedItem
from ledger.errors import RuleViolation, Violation

REPORT_WORKING_DAYS = 5


class StudyStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    TERMINATED = "terminated"


class EthicsDecision(StrEnum):
    RESUME = "resume"
    TERMINATE = "terminate"


class AdverseEvent(TypedDict):
    number: int
    patient: str
    administration: int
    grade: int  # CTCAE 1..5
    serious: bool
    description: str
    onset: date
    aware_on: date
    report_due: date | None  # serious events only
    reported_on: date | None
    report_ref: str


def working_days_after(start: date, days: int) -> date:
    """The day `days` working days (Monday..Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


class Safety(CodedItem):
    """A study's adverse events and its pause, resumption or termination."""

    if TYPE_CHECKING:
        status: str
        paused_by: str | None
        adverse_events: tuple[AdverseEvent, ...]
    else:
        adverse_events = ()

    def report_adverse_event(
        self,
        patient: str,
        administration: int,
        grade: int,
        serious: bool,
        description: str,
        onset: date,
        today: date,
    ) -> int:
        """Record an adverse event; a serious one pauses the study at every site (R-CLN-4).
        The application checks that `administration` is one of `patient`'s in this study."""
        problems = []
        if grade not in range(1, 6):
            problems.append(
                Violation.of("R-CLN-4", "grade {grade} is not a CTCAE grade 1..5", grade=grade)
            )
        if not description.strip():
            problems.append(Violation.of("R-CLN-4", "describe the adverse event"))
        if onset > today:
            problems.append(Violation.of("R-CLN-4", "the onset cannot be in the future"))
        if problems:
            raise RuleViolation(problems)
        number = len(self.adverse_events) + 1
        due = working_days_after(today, REPORT_WORKING_DAYS) if serious else None
        self._adverse_event_reported(
            AdverseEvent(
                number=number,
                patient=patient,
                administration=administration,
                grade=grade,
                serious=serious,
                description=description.strip(),
                onset=onset,
                aware_on=today,
                report_due=due,
                reported_on=None,
                report_ref="",
            )
        )
        if serious and self.status == StudyStatus.ACTIVE:
            self._paused(f"serious adverse event {number} of {patient} (grade {grade})")
        return number

    @event("AdverseEventReported")
    def _adverse_event_reported(self, adverse_event: AdverseEvent) -> None:
        self.adverse_events = (*self.adverse_events, adverse_event)

    @event("Paused")
    def _paused(self, reason: str) -> None:
        self.status = StudyStatus.PAUSED.value
        self.paused_by = reason

    def record_report(self, number: int, reference: str, reported_on: date, today: date) -> None:
        """The report on serious event `number` was filed (§7.3.3)."""
        found = [a for a in self.adverse_events if a["number"] == number and a["serious"]]
        problems = []
        if not found:
            problems.append(
                Violation.of(
                    "R-CLN-4", "{code} has no serious event {number}", code=self.code, number=number
                )
            )
        elif found[0]["reported_on"] is not None:
            problems.append(
                Violation.of("R-CLN-4", "event {number} was already reported", number=number)
            )
        if not reference.strip() or reported_on > today:
            problems.append(
                Violation.of("R-CLN-4", "give the filing reference and a date not in the future")
            )
        if problems:
            raise RuleViolation(problems)
        self._report_recorded(number, reference.strip(), reported_on)

    @event("ReportRecorded")
    def _report_recorded(self, number: int, reference: str, reported_on: date) -> None:
        self.adverse_events = tuple(
            AdverseEvent(**{**a, "reported_on": reported_on, "report_ref": reference})
            if a["number"] == number
            else a
            for a in self.adverse_events
        )

    def overdue_reports(self, today: date) -> list[AdverseEvent]:
        """Serious events whose report is past its 5-working-day deadline (R-CLN-4)."""
        return [
            a
            for a in self.adverse_events
            if a["report_due"] is not None and a["reported_on"] is None and a["report_due"] < today
        ]

    def decide(self, decision: str, reference: str, reason: str) -> None:
        """Record the ethics committee's signed decision on a paused study (R-CLN-4)."""
        problems = []
        if decision not in {d.value for d in EthicsDecision}:
            problems.append(Violation.of("R-CLN-4", "the decision is resume or terminate"))
        if self.status != StudyStatus.PAUSED:
            problems.append(
                Violation.of(
                    "R-CLN-4",
                    "{code} is {status:term}, not paused; nothing to decide",
                    code=self.code,
                    status=self.status,
                )
            )
        if not reference.strip() or not reason.strip():
            problems.append(
                Violation.of(
                    "R-CLN-4", "give the ethics committee's decision reference and reasons"
                )
            )
        if problems:
            raise RuleViolation(problems)
        if decision == EthicsDecision.RESUME:
            self._resumed(reference.strip(), reason.strip())
        else:
            self._terminated(reference.strip(), reason.strip())

    @event("Resumed")
    def _resumed(self, reference: str, reason: str) -> None:
        self.status = StudyStatus.ACTIVE.value
        self.paused_by = None

    @event("Terminated")
    def _terminated(self, reference: str, reason: str) -> None:
        self.status = StudyStatus.TERMINATED.value
