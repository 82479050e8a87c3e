"""Out-of-specification investigations (R-QMS-1, §5.5, §8.2(3)): an out-of-specification QC
result opens one on its lot and quarantines the lot; the laboratory (phase I) and production
(phase II) record their findings; QA concludes it, signed: the result is invalidated only with
an assignable cause named, otherwise it is confirmed and the lot stays quarantined until QA
rejects it (R-QMS-5). A retest names the invalidated result it replaces. Nobody strikes a QC
result out any other way."""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict

from ledger.errors import Violation

RULE = "R-QMS-1"


class Phase(StrEnum):
    LABORATORY = "laboratory"  # phase I: the laboratory's own error?
    PRODUCTION = "production"  # phase II: the process, the batch record


class Outcome(StrEnum):
    OPEN = "open"
    INVALIDATED = "invalidated"  # an assignable cause: the result no longer stands
    CONFIRMED = "confirmed"  # the lot failed


class Finding(TypedDict):
    phase: str
    finding: str


class Investigation(TypedDict):
    """One OOS investigation of a lot, numbered from 1 on the lot."""

    result: int  # the version of the lot's event that recorded the out-of-spec result
    test: str
    report_ref: str
    findings: list[Finding]
    outcome: str
    assignable_cause: str
    conclusion: str


def opened(result: int, test: str, report_ref: str) -> Investigation:
    return Investigation(
        result=result,
        test=test,
        report_ref=report_ref,
        findings=[],
        outcome=Outcome.OPEN.value,
        assignable_cause="",
        conclusion="",
    )


def open_problems(
    lot: str, investigations: dict[int, Investigation], number: int
) -> list[Violation]:
    """Why investigation `number` of `lot` takes no finding or conclusion now."""
    found = investigations.get(number)
    if found is None:
        return [
            Violation.of(
                RULE,
                "{lot} has no OOS investigation {number}; its investigations are {known:list}",
                lot=lot,
                number=number,
                known=[str(n) for n in sorted(investigations)] or ["none"],
            )
        ]
    if found["outcome"] != Outcome.OPEN:
        return [
            Violation.of(
                RULE,
                "OOS investigation {number} of {lot} is already concluded ({outcome:term})",
                number=number,
                lot=lot,
                outcome=found["outcome"],
            )
        ]
    return []


def conclusion_problems(
    invalidate: bool, assignable_cause: str, conclusion: str
) -> list[Violation]:
    """R-QMS-1: a result is invalidated only with its assignable cause named; every conclusion
    says what was concluded."""
    problems = []
    if invalidate and not assignable_cause.strip():
        problems.append(
            Violation.of(
                RULE,
                "an out-of-specification result is invalidated only with an assignable cause; "
                "name the cause found, or confirm the result",
            )
        )
    if not conclusion.strip():
        problems.append(Violation.of(RULE, "write the investigation's conclusion"))
    return problems


def still_open(lot: str, investigations: dict[int, Investigation]) -> list[Violation]:
    """R-QMS-3: the open investigations that stop certification, each named."""
    return [
        Violation.of(
            "R-QMS-3",
            "OOS investigation {number} of {lot} ({test}, {report_ref}) is open; conclude it first",
            number=number,
            lot=lot,
            test=found["test"],
            report_ref=found["report_ref"],
        )
        for number, found in sorted(investigations.items())
        if found["outcome"] == Outcome.OPEN
    ]
