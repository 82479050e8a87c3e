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
from typing import TYPE_CHECKING, NotRequired, TypedDict

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


class HaltAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    TERMINATE = "terminate"


class DecidedBy(StrEnum):
    """Who may pause or terminate a study for a reason other than a serious event (§7.3.3)."""

    SPONSOR = "sponsor"
    INVESTIGATOR = "investigator"
    ETHICS_COMMITTEE = "ethics_committee"


class Halt(TypedDict):
    """A pause, resumption or termination for a reason other than a serious adverse event
    (R-CLN-9), with the report on it due within 5 working days."""

    number: int
    action: str
    by: str
    reason: str
    reference: str
    decided_on: date
    report_due: date
    reported_on: date | None
    report_ref: str


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
    # followed to resolution (R-CLN-10); events recorded before that was asked have none
    followed_on: NotRequired[date]
    resolved_on: NotRequired[date]
    outcome: NotRequired[str]


#: A serious adverse event is followed up at least this often until it resolves (R-CLN-10).
SAE_FOLLOW_UP_DAYS = 30


def working_days_after(start: date, days: int) -> date:
    """The day `days` working days (Monday..Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def filing_problems(rule: str, reference: str, reported_on: date, today: date) -> list[Violation]:
    """Why a report's filing is not recorded: no reference, or a date in the future."""
    if reference.strip() and reported_on <= today:
        return []
    return [Violation.of(rule, "give the filing reference and a date not in the future")]


class Safety(CodedItem):
    """A study's adverse events and its pause, resumption or termination."""

    if TYPE_CHECKING:
        status: str
        paused_by: str | None
        adverse_events: tuple[AdverseEvent, ...]
        halts: tuple[Halt, ...]
        paused_by_sae: bool
    else:
        adverse_events = ()
        halts = ()
        paused_by_sae = False

    def halt(self, action: str, by: str, reason: str, reference: str, today: date) -> int:
        """Pause, resume or terminate the study for a reason other than a serious adverse
        event, decided by the sponsor, the investigator or the ethics committee (R-CLN-9); the
        report on it is due within 5 working days. A pause a serious event caused is lifted
        only by the ethics committee. Returns the decision's number."""
        problems = []
        if action not in {a.value for a in HaltAction}:
            problems.append(Violation.of("R-CLN-9", "the decision is pause, resume or terminate"))
        if by not in {d.value for d in DecidedBy}:
            problems.append(
                Violation.of(
                    "R-CLN-9",
                    "name who decided: the sponsor, the investigator or the ethics committee",
                )
            )
        allowed: dict[str, tuple[str, ...]] = {
            HaltAction.PAUSE: (StudyStatus.ACTIVE,),
            HaltAction.RESUME: (StudyStatus.PAUSED,),
            HaltAction.TERMINATE: (StudyStatus.ACTIVE, StudyStatus.PAUSED),
        }
        if action in allowed and self.status not in allowed[action]:
            problems.append(
                Violation.of(
                    "R-CLN-9",
                    "{code} is {status:term}; {action:term} does not apply to it",
                    code=self.code,
                    status=self.status,
                    action=action,
                )
            )
        if action == HaltAction.RESUME and self.paused_by_sae and by != DecidedBy.ETHICS_COMMITTEE:
            problems.append(
                Violation.of(
                    "R-CLN-4",
                    "{code} was paused by a serious adverse event; only the ethics committee "
                    "resumes it",
                    code=self.code,
                )
            )
        if not reason.strip() or not reference.strip():
            problems.append(Violation.of("R-CLN-9", "give the reason and the decision's reference"))
        if problems:
            raise RuleViolation(problems)
        number = len(self.halts) + 1
        decided = Halt(
            number=number,
            action=action,
            by=by,
            reason=reason.strip(),
            reference=reference.strip(),
            decided_on=today,
            report_due=working_days_after(today, REPORT_WORKING_DAYS),
            reported_on=None,
            report_ref="",
        )
        if action == HaltAction.PAUSE:
            self._paused_for(decided)
        elif action == HaltAction.RESUME:
            self._resumed_by(decided)
        else:
            self._terminated_by(decided)
        return number

    @event("PausedFor")
    def _paused_for(self, halt: Halt) -> None:
        self.halts = (*self.halts, halt)
        self.status = StudyStatus.PAUSED.value
        self.paused_by = f"{halt['by']}: {halt['reason']}"

    @event("ResumedBy")
    def _resumed_by(self, halt: Halt) -> None:
        self.halts = (*self.halts, halt)
        self.status = StudyStatus.ACTIVE.value
        self.paused_by = None
        self.paused_by_sae = False

    @event("TerminatedBy")
    def _terminated_by(self, halt: Halt) -> None:
        self.halts = (*self.halts, halt)
        self.status = StudyStatus.TERMINATED.value

    def record_halt_report(
        self, number: int, reference: str, reported_on: date, today: date
    ) -> None:
        """The report on halt decision `number` was filed (R-CLN-9)."""
        problems = []
        found = [h for h in self.halts if h["number"] == number]
        if not found:
            problems.append(
                Violation.of(
                    "R-CLN-9", "{code} has no decision {number}", code=self.code, number=number
                )
            )
        elif found[0]["reported_on"] is not None:
            problems.append(
                Violation.of("R-CLN-9", "decision {number} was already reported", number=number)
            )
        problems += filing_problems("R-CLN-9", reference, reported_on, today)
        if problems:
            raise RuleViolation(problems)
        self._halt_reported(number, reference.strip(), reported_on)

    @event("HaltReported")
    def _halt_reported(self, number: int, reference: str, reported_on: date) -> None:
        self.halts = tuple(
            Halt(**{**h, "reported_on": reported_on, "report_ref": reference})
            if h["number"] == number
            else h
            for h in self.halts
        )

    def overdue_halt_reports(self, today: date) -> list[Halt]:
        """Pauses, resumptions and terminations whose report is past its deadline (R-CLN-9)."""
        return [h for h in self.halts if h["reported_on"] is None and h["report_due"] < today]

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
        self.paused_by_sae = True

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
        problems += filing_problems("R-CLN-4", reference, reported_on, today)
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

    def follow_up_event(
        self,
        number: int,
        patient: str,
        note: str,
        resolved: bool,
        outcome: str,
        today: date,
    ) -> None:
        """A follow-up of adverse event `number` of `patient`: how it evolves, and once it
        resolved, the outcome (R-CLN-10)."""
        found = [a for a in self.adverse_events if a["number"] == number]
        problems = []
        if not found or found[0]["patient"] != patient:
            problems.append(
                Violation.of(
                    "R-CLN-10",
                    "{patient} has no adverse event {number} in {code}",
                    patient=patient,
                    number=number,
                    code=self.code,
                )
            )
        elif "resolved_on" in found[0]:
            problems.append(
                Violation.of("R-CLN-10", "adverse event {number} already resolved", number=number)
            )
        if not note.strip():
            problems.append(Violation.of("R-CLN-10", "write how the event evolved"))
        if resolved and not outcome.strip():
            problems.append(
                Violation.of("R-CLN-10", "give the outcome of the resolved event (e.g. recovered)")
            )
        if problems:
            raise RuleViolation(problems)
        self._followed_up(number, note.strip(), today, resolved, outcome.strip())

    @event("AdverseEventFollowedUp")
    def _followed_up(self, number: int, note: str, on: date, resolved: bool, outcome: str) -> None:
        ended = {"resolved_on": on, "outcome": outcome} if resolved else {}
        self.adverse_events = tuple(
            AdverseEvent(**{**a, "followed_on": on, **ended})  # type: ignore[typeddict-item]
            if a["number"] == number
            else a
            for a in self.adverse_events
        )

    def overdue_follow_ups(self, today: date) -> list[AdverseEvent]:
        """Serious adverse events not resolved whose last follow-up (or awareness) is more
        than 30 days old (R-CLN-10)."""
        limit = timedelta(days=SAE_FOLLOW_UP_DAYS)
        return [
            a
            for a in self.adverse_events
            if a["serious"]
            and "resolved_on" not in a
            and a.get("followed_on", a["aware_on"]) + limit < today
        ]

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
        self.paused_by_sae = False

    @event("Terminated")
    def _terminated(self, reference: str, reason: str) -> None:
        self.status = StudyStatus.TERMINATED.value
