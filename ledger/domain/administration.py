"""Administration to a patient and the follow-up it schedules (R-CLN-3, R-CLN-6, §7.2.5,
§7.5): recorded only on a go bedside decision, by a nurse with a different verifying
pharmacist; each administration schedules the protocol's follow-up visits from its day, and
each visit's completion is recorded; visits past their day are overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from eventsourcing.domain import event

from ledger.domain.bedside import Decision
from ledger.domain.codes import CodedItem
from ledger.domain.study import Visit
from ledger.errors import RuleViolation, Violation


class Dose(TypedDict):
    """One administration: the vial, dose, route, time and the two people (R-CLN-3)."""

    vial: str
    dose: float
    unit: str
    route: str
    at: datetime
    nurse: str
    pharmacist: str


class DueVisit(TypedDict):
    number: int  # the administration it follows
    label: str
    due: date
    done_on: date | None


class Dosing(CodedItem):
    """The administrations of one patient and their follow-up visits."""

    if TYPE_CHECKING:
        doses: tuple[Dose, ...]
        visits: tuple[DueVisit, ...]
        withdrawn_on: date | None
        exited_on: date | None
    else:
        doses = ()
        visits = ()
        withdrawn_on = None
        exited_on = None

    def administer(
        self,
        decision: Decision,
        dose: Dose,
        thawed: bool,
        schedule: Sequence[Visit],
    ) -> int:
        """Record an administration on a go decision (R-CLN-2, R-CLN-3) and schedule its
        follow-up (R-CLN-6); returns its number."""
        problems = list(decision.reasons)
        if not thawed:
            problems.append(
                Violation.of(
                    "R-CLN-3", "record the thaw of {vial} at the bedside first", vial=dose["vial"]
                )
            )
        if dose["nurse"] == dose["pharmacist"]:
            problems.append(
                Violation.of(
                    "R-PPL-4",
                    "the verifying pharmacist must be a different person from the "
                    "administering nurse, whatever roles they hold",
                )
            )
        if problems:
            raise RuleViolation(problems)
        number = len(self.doses) + 1
        day = dose["at"].date()
        due = [
            DueVisit(
                number=number,
                label=v["label"],
                due=day + timedelta(days=v["day"]),
                done_on=None,
            )
            for v in schedule
        ]
        self._administered(number, dose, due)
        return number

    @event("Administered")
    def _administered(self, number: int, dose: Dose, visits: list[DueVisit]) -> None:
        self.doses = (*self.doses, dose)
        self.visits = (*self.visits, *visits)

    def exit_study(self, reason: str, today: date, visit: Visit) -> None:
        """The subject leaves the study (treatment and its schedule done, or another reason):
        no further dose, and a follow-up visit at least 3 months later (R-CLN-10)."""
        problems = []
        if self.exited_on is not None:
            problems.append(
                Violation.of("R-CLN-10", "{code} already left the study", code=self.code)
            )
        if not reason.strip():
            problems.append(Violation.of("R-CLN-10", "give the reason the subject leaves"))
        if problems:
            raise RuleViolation(problems)
        due = DueVisit(
            number=len(self.doses),
            label=visit["label"],
            due=today + timedelta(days=visit["day"]),
            done_on=None,
        )
        self._exited(reason.strip(), today, due)

    @event("Exited")
    def _exited(self, reason: str, exited_on: date, visit: DueVisit) -> None:
        self.exited_on = exited_on
        self.visits = (*self.visits, visit)

    def complete_visit(self, number: int, label: str, done_on: date, today: date) -> None:
        """Record that a scheduled follow-up visit took place (R-CLN-6)."""
        index = next(
            (i for i, v in enumerate(self.visits) if (v["number"], v["label"]) == (number, label)),
            None,
        )
        problems = []
        if index is None:
            problems.append(
                Violation.of(
                    "R-CLN-6",
                    "{code} has no {label!r} visit after administration {number}",
                    code=self.code,
                    label=label,
                    number=number,
                )
            )
        elif self.visits[index]["done_on"] is not None:
            problems.append(
                Violation.of("R-CLN-6", "the {label:term} visit was already recorded", label=label)
            )
        if done_on > today:
            problems.append(Violation.of("R-CLN-6", "a visit cannot be recorded in the future"))
        if problems:
            raise RuleViolation(problems)
        self._visit_completed(number, label, done_on)

    @event("VisitCompleted")
    def _visit_completed(self, number: int, label: str, done_on: date) -> None:
        self.visits = tuple(
            DueVisit(**{**v, "done_on": done_on})
            if (v["number"], v["label"]) == (number, label)
            else v
            for v in self.visits
        )

    def scheduled_visits(self) -> list[DueVisit]:
        """The visits still scheduled: a subject's withdrawal ends the schedule (R-CLN-9)."""
        end = self.withdrawn_on
        return [v for v in self.visits if end is None or v["due"] <= end or v["done_on"]]

    def overdue_visits(self, today: date) -> list[DueVisit]:
        """Visits past their day and not recorded (R-CLN-6), while still scheduled."""
        return [v for v in self.scheduled_visits() if v["done_on"] is None and v["due"] < today]
