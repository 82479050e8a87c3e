"""Clinical studies (R-CLN-1, R-CLN-4, R-CLN-6, §7.2, §7.3.3): the protocol version with its
allowed routes, dose-escalation cohorts, in-use time after thaw and follow-up schedule; the
sites activated for it; and its pause on a serious adverse event until the ethics committee
resumes or terminates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import NotRequired, TypedDict

from eventsourcing.domain import event

from ledger.domain.adverse_event import StudyStatus
from ledger.domain.randomisation import Randomised
from ledger.errors import RuleViolation, Violation
from ledger.messages import Sentence


class Route(StrEnum):
    """Routes of administration (§7.2.2): intravenous, local, intra-arterial."""

    INTRAVENOUS = "intravenous"
    INTRATUMORAL = "intratumoral"
    INTRACAVITARY = "intracavitary"
    INTRANASAL = "intranasal"
    INTRA_ARTERIAL = "intra_arterial"


class Cohort(TypedDict):
    """A dose-escalation cohort: the dose levels (in the protocol's unit) allowed in it."""

    name: str
    doses: list[float]


class Visit(TypedDict):
    """A follow-up visit, `day` days after the administration."""

    label: str
    day: int


#: The minimum follow-up schedule (§7.2.5, R-CLN-6); a protocol may add visits.
STANDARD_VISITS: tuple[Visit, ...] = (
    Visit(label="day 1", day=1),
    Visit(label="day 3", day=3),
    Visit(label="week 1", day=7),
    Visit(label="week 2", day=14),
    Visit(label="week 4", day=28),
    Visit(label="month 3", day=91),
    Visit(label="month 6", day=182),
    Visit(label="year 1", day=365),
)


class Protocol(TypedDict):
    version: str
    routes: list[str]
    dose_unit: str
    cohorts: list[Cohort]
    in_use_minutes: int
    follow_up: list[Visit]
    blinded: bool
    # R-CLN-7: how many administrations a subject may have, and the least time between two.
    # Protocols stored before these were asked for allow one administration.
    administrations: NotRequired[int]
    min_interval_hours: NotRequired[float]


def dosing_schedule(protocol: Protocol) -> tuple[int, float]:
    """The administrations a subject may have and the minimum hours between two (R-CLN-7)."""
    return protocol.get("administrations", 1), float(protocol.get("min_interval_hours", 0.0))


def protocol_problems(protocol: Protocol) -> list[Violation]:
    """What is missing or wrong in a protocol before it can govern a study (R-CLN-1)."""
    problems = []
    if not protocol["version"].strip():
        problems.append(Violation.of("R-CLN-1", "give the protocol version approved by ethics"))
    allowed = {r.value for r in Route}
    unknown = [r for r in protocol["routes"] if r not in allowed]
    if not protocol["routes"] or unknown:
        problems.append(
            Violation.of(
                "R-CLN-1",
                "list the allowed routes, each one of: {routes:list}{unknown}",
                routes=[r.value for r in Route],
                unknown=Sentence(" (unknown: {routes:list})", routes=unknown) if unknown else "",
            )
        )
    if not protocol["dose_unit"].strip():
        problems.append(Violation.of("R-CLN-1", "give the unit of the dose levels"))
    names = [c["name"].strip() for c in protocol["cohorts"]]
    if (
        not names
        or "" in names
        or len(set(names)) != len(names)
        or any(not c["doses"] or any(d <= 0 for d in c["doses"]) for c in protocol["cohorts"])
    ):
        problems.append(
            Violation.of(
                "R-CLN-1",
                "list the dose-escalation cohorts, each with a unique name and positive dose "
                "levels",
            )
        )
    administrations, interval = dosing_schedule(protocol)
    if not 1 <= administrations <= 1000 or not 0 <= interval <= 24 * 3660:
        problems.append(
            Violation.of(
                "R-CLN-7",
                "give the number of administrations per subject (1 or more) and the minimum "
                "interval between two in hours (0 or more)",
            )
        )
    elif administrations > 1 and interval <= 0:
        problems.append(
            Violation.of(
                "R-CLN-7",
                "a protocol of {administrations} administrations per subject fixes the minimum "
                "interval between two; give it in hours",
                administrations=administrations,
            )
        )
    if protocol["in_use_minutes"] <= 0:
        problems.append(
            Violation.of("R-CLN-1", "give the in-use time after thaw in minutes (from stability)")
        )
    days = {v["day"] for v in protocol["follow_up"]}
    if any(v["day"] <= 0 or not v["label"].strip() for v in protocol["follow_up"]):
        problems.append(Violation.of("R-CLN-6", "each follow-up visit needs a label and a day > 0"))
    missing = [v["label"] for v in STANDARD_VISITS if v["day"] not in days]
    if missing:
        problems.append(
            Violation.of(
                "R-CLN-6",
                "the follow-up schedule lacks {missing:terms}; a protocol may extend the "
                "standard schedule but not shorten it",
                missing=missing,
            )
        )
    return problems


#: Long-term follow-up of a product made with a genetic-modification vector: yearly to five
#: years after the administration (§7.5, R-CLN-10).
ENGINEERED_VISITS: tuple[Visit, ...] = (
    Visit(label="year 2", day=730),
    Visit(label="year 3", day=1095),
    Visit(label="year 4", day=1461),
    Visit(label="year 5", day=1826),
)

#: The visit after a subject leaves the study: at least 3 months later (§7.5, R-CLN-10).
EXIT_VISIT = Visit(label="3 months after exit", day=91)


def with_standard_visits(extra: Sequence[Visit] = ()) -> list[Visit]:
    """The standard follow-up schedule extended by `extra` visits, in order of day."""
    by_day = {v["day"]: v for v in (*STANDARD_VISITS, *extra)}
    return [by_day[d] for d in sorted(by_day)]


class Study(Randomised):
    """A clinical study of a cell-derivative product under one protocol version."""

    @classmethod
    def register(cls, code: str, title: str, protocol: Protocol) -> Study:
        problems = protocol_problems(protocol)
        if not title.strip():
            problems.insert(0, Violation.of("R-CLN-1", "give the study's registered title"))
        if problems:
            raise RuleViolation(problems)
        return cls(code, title.strip(), protocol)

    @event("Registered")
    def __init__(self, code: str, title: str, protocol: Protocol) -> None:
        self.code = code
        self.title = title
        self.protocol = protocol
        self.sites: tuple[str, ...] = ()
        self.subjects: tuple[str, ...] = ()
        self.status = StudyStatus.ACTIVE.value
        self.paused_by: str | None = None
        self.blinded = protocol["blinded"]
        self.randomisation: tuple[str, ...] = ()  # lists loaded before sealing: arms in clear
        self.sealed_lists: tuple[str, ...] = ()  # the sealed chunks of the list (R-ACC-5)
        self.list_size = 0  # randomisation numbers loaded
        self.kits: tuple[str, ...] = ()  # the study's kits, both arms, in code order
        self.allocated: dict[str, int] = {}  # subject -> randomisation number

    def cohort(self, name: str) -> Cohort | None:
        return next((c for c in self.protocol["cohorts"] if c["name"] == name), None)

    def activate_site(self, site_code: str) -> None:
        """Open the study at a registered site (R-CLN-1)."""
        problems = []
        if site_code in self.sites:
            problems.append(
                Violation.of(
                    "R-CLN-1",
                    "{code} is already active at {site_code}",
                    code=self.code,
                    site_code=site_code,
                )
            )
        if self.status == StudyStatus.TERMINATED:
            problems.append(Violation.of("R-CLN-4", "{code} was terminated", code=self.code))
        if problems:
            raise RuleViolation(problems)
        self._site_activated(site_code)

    @event("SiteActivated")
    def _site_activated(self, site_code: str) -> None:
        self.sites = (*self.sites, site_code)

    def note_subject(self, patient_code: str, site_code: str) -> None:
        """Record a subject enrolled at a site (checked by `Patient.enrol`), so the study can
        list its subjects' follow-up (R-CLN-6)."""
        self._subject_enrolled(patient_code, site_code)

    @event("SubjectEnrolled")
    def _subject_enrolled(self, patient_code: str, site_code: str) -> None:
        self.subjects = (*self.subjects, patient_code)
