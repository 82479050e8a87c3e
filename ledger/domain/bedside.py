"""Bedside verification (R-CLN-2, §7.3.2): one pure decision over the facts of a vial, a
patient, their study and the intended dose and route, giving go only when every rule holds and
otherwise no-go with every reason. The application loads the facts; thaw and administration
are recorded only on go (R-CLN-3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ledger.domain.adverse_event import StudyStatus
from ledger.errors import Violation
from ledger.messages import Sentence

#: The rules of a shipment's excursion holds: out of range (R-SHP-2), a gap (R-SHP-4).
COLD_CHAIN = ("R-SHP-2", "R-SHP-4")


@dataclass(frozen=True)
class BedsideFacts:
    """What the bedside check needs, as loaded at the moment `at`."""

    vial: str
    patient: str
    dose: float
    route: str
    at: datetime
    # the vial
    expiry: date
    vial_site: str | None  # where its shipment was delivered, if any
    released: bool  # released for use by that site's QP
    thawed_at: datetime | None
    used_by: str | None
    excursion: str | Sentence | None  # an unassessed excursion of its shipment
    item_refusals: Sequence[Violation]  # holds, disposal, donor look-back (lineage)
    vial_donors: Sequence[str]
    autologous_donors: Sequence[str]  # those of its donors who are autologous
    blinded_study: str | None  # the study a blinded vial belongs to
    # the patient and the study
    patient_site: str
    patient_study: str
    consented: bool
    patient_donor: str | None
    study_status: str
    cohort: str
    cohort_doses: Sequence[float]
    dose_unit: str
    routes: Sequence[str]
    in_use_minutes: int
    dispensed_to: str | None = None  # the subject the site pharmacy dispensed the vial for
    # R-CLN-7: the subject's administrations so far, and what the protocol allows
    doses_given: int = 0
    last_dose_at: datetime | None = None
    administrations: int = 1
    min_interval_hours: float = 0.0
    exited_on: date | None = None  # the subject left the study (R-CLN-10)


@dataclass(frozen=True)
class Decision:
    """Go, or no-go with every reason."""

    reasons: tuple[Violation, ...]

    @property
    def go(self) -> bool:
        return not self.reasons


def autologous_mismatch(
    vial_donors: Sequence[str], autologous_donors: Sequence[str], patient_donor: str | None
) -> bool:
    """An autologous vial may go only to its own donor's patient record (R-CLN-2)."""
    return bool(autologous_donors) and list(vial_donors) != [patient_donor]


def decide(f: BedsideFacts) -> Decision:
    """Go only when every bedside rule holds (R-CLN-2); otherwise every reason: first a study
    paused or terminated (nothing is given then), then in the order a nurse would check them:
    the vial, the cold chain, the patient, the prescription."""
    reasons: list[Violation] = []

    def no(rule: str, template: str, **params: object) -> None:
        reasons.append(Violation.of(rule, template, **params))

    if f.study_status != StudyStatus.ACTIVE:
        no(
            "R-CLN-4",
            "study {study} is {status:term}; no administration until the study is resumed",
            study=f.patient_study,
            status=f.study_status,
        )
    if f.vial_site is None or f.vial_site != f.patient_site or not f.released:
        no(
            "R-QC-4",
            "{vial} is not released for use by the QP of {site}; do not use it",
            vial=f.vial,
            site=f.patient_site,
        )
    if f.at.date() > f.expiry:
        no("R-CLN-2", "{vial} expired on {expiry}; do not use it", vial=f.vial, expiry=f.expiry)
    if f.thawed_at is not None and f.at > f.thawed_at + timedelta(minutes=f.in_use_minutes):
        no(
            "R-CLN-2",
            "{vial} was thawed at {thawed_at:%H:%M} and its in-use time of "
            "{minutes} min has passed; discard it",
            vial=f.vial,
            thawed_at=f.thawed_at,
            minutes=f.in_use_minutes,
        )
    if f.used_by is not None:
        no(
            "R-CLN-2",
            "{vial} was already administered to {patient}",
            vial=f.vial,
            patient=f.used_by,
        )
    if f.excursion is not None:
        no(
            "R-SHP-2",
            "the cold chain of {vial} is not intact: {excursion}",
            vial=f.vial,
            excursion=f.excursion,
        )
    reasons.extend(  # the excursion's holds, said once above
        v for v in f.item_refusals if not (f.excursion is not None and v.rule in COLD_CHAIN)
    )
    if f.patient_study != f.blinded_study and f.blinded_study is not None:
        no(
            "R-CLN-2",
            "{vial} is allocated to another study, not to {patient}",
            vial=f.vial,
            patient=f.patient,
        )
    elif f.blinded_study is not None and f.dispensed_to != f.patient:
        no(
            "R-CLN-2",
            "{vial} is a blinded kit not allocated to {patient}; give only the kit the "
            "pharmacy dispensed for the subject's randomisation number",
            vial=f.vial,
            patient=f.patient,
        )
    elif f.dispensed_to is None and f.used_by is None:
        no(
            "R-CLN-8",
            "{vial} was not dispensed for {patient}; the site pharmacy dispenses it for the "
            "subject first",
            vial=f.vial,
            patient=f.patient,
        )
    elif f.dispensed_to is not None and f.dispensed_to != f.patient:
        no(
            "R-CLN-2",
            "{vial} was dispensed for {dispensed_to}, not {patient}; return it to the pharmacy",
            vial=f.vial,
            dispensed_to=f.dispensed_to,
            patient=f.patient,
        )
    reasons.extend(schedule_problems(f))
    if f.exited_on is not None:
        no(
            "R-CLN-10",
            "{patient} left the study on {on}; no further dose",
            patient=f.patient,
            on=f.exited_on,
        )
    if not f.consented:
        no("R-CLN-2", "{patient} has no consent in force; do not administer", patient=f.patient)
    if f.dose not in f.cohort_doses:
        levels = [f"{d:g}" for d in f.cohort_doses]
        no(
            "R-CLN-2",
            "{dose:g} {unit} is not a dose level of cohort {cohort} ({levels:list} {unit})",
            dose=f.dose,
            unit=f.dose_unit,
            cohort=f.cohort,
            levels=levels,
        )
    if f.route not in f.routes:
        no(
            "R-CLN-2",
            "route {route:term} is not allowed by the protocol ({routes:terms})",
            route=f.route,
            routes=f.routes,
        )
    if autologous_mismatch(f.vial_donors, f.autologous_donors, f.patient_donor):
        no(
            "R-CLN-2",
            "{vial} is autologous material of {donors:list}; it may go only "
            "to that donor's own patient record",
            vial=f.vial,
            donors=f.vial_donors,
        )
    return Decision(tuple(reasons))


def schedule_problems(f: BedsideFacts) -> list[Violation]:
    """R-CLN-7: no dose beyond the protocol's number of administrations per subject, nor
    before its minimum interval since the subject's last dose has passed."""
    if f.doses_given >= f.administrations:
        return [
            Violation.of(
                "R-CLN-7",
                "{patient} has had {given} of the {allowed} administrations the protocol "
                "allows; no further dose",
                patient=f.patient,
                given=f.doses_given,
                allowed=f.administrations,
            )
        ]
    if f.last_dose_at is None:
        return []
    due = f.last_dose_at + timedelta(hours=f.min_interval_hours)
    if f.at >= due:
        return []
    return [
        Violation.of(
            "R-CLN-7",
            "{patient} was last dosed at {last:%Y-%m-%d %H:%M} UTC, {hours:.1f} h ago; the "
            "protocol requires {interval:g} h between doses - the next dose is due from "
            "{due:%Y-%m-%d %H:%M} UTC",
            patient=f.patient,
            last=f.last_dose_at,
            hours=(f.at - f.last_dose_at).total_seconds() / 3600,
            interval=f.min_interval_hours,
            due=due,
        )
    ]
