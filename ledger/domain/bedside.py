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
    excursion: str | None  # an unassessed excursion of its shipment
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


@dataclass(frozen=True)
class Decision:
    """Go, or no-go with every reason."""

    reasons: tuple[Violation, ...]

    @property
    def go(self) -> bool:
        return not self.reasons


def decide(f: BedsideFacts) -> Decision:
    """Go only when every bedside rule holds (R-CLN-2); otherwise every reason, in the order
    a nurse would check them: the vial, the cold chain, the patient, the prescription."""
    reasons: list[Violation] = []

    def no(rule: str, message: str) -> None:
        reasons.append(Violation(rule, message))

    if f.vial_site is None or f.vial_site != f.patient_site or not f.released:
        no(
            "R-QC-4",
            f"{f.vial} is not released for use by the QP of {f.patient_site}; do not use it",
        )
    if f.at.date() > f.expiry:
        no("R-CLN-2", f"{f.vial} expired on {f.expiry}; do not use it")
    if f.thawed_at is not None and f.at > f.thawed_at + timedelta(minutes=f.in_use_minutes):
        no(
            "R-CLN-2",
            f"{f.vial} was thawed at {f.thawed_at:%H:%M} and its in-use time of "
            f"{f.in_use_minutes} min has passed; discard it",
        )
    if f.used_by is not None:
        no("R-CLN-2", f"{f.vial} was already administered to {f.used_by}")
    if f.excursion is not None:
        no("R-SHP-2", f"the cold chain of {f.vial} is not intact: {f.excursion}")
    reasons.extend(
        v for v in f.item_refusals if not (f.excursion is not None and v.rule == "R-SHP-2")
    )
    if f.patient_study != f.blinded_study and f.blinded_study is not None:
        no("R-CLN-2", f"{f.vial} is allocated to another study, not to {f.patient}")
    elif f.blinded_study is not None and f.dispensed_to != f.patient:
        no(
            "R-CLN-2",
            f"{f.vial} is a blinded kit not allocated to {f.patient}; give only the kit the "
            "pharmacy dispensed for the subject's randomisation number",
        )
    elif f.dispensed_to is not None and f.dispensed_to != f.patient:
        no(
            "R-CLN-2",
            f"{f.vial} was dispensed for {f.dispensed_to}, not {f.patient}; return it to the "
            "pharmacy",
        )
    if not f.consented:
        no("R-CLN-2", f"{f.patient} has no consent in force; do not administer")
    if f.study_status != StudyStatus.ACTIVE:
        no(
            "R-CLN-4",
            f"study {f.patient_study} is {f.study_status}; no administration until the ethics "
            "committee resumes it",
        )
    if f.dose not in f.cohort_doses:
        levels = ", ".join(f"{d:g}" for d in f.cohort_doses)
        no(
            "R-CLN-2",
            f"{f.dose:g} {f.dose_unit} is not a dose level of cohort {f.cohort} ({levels})",
        )
    if f.route not in f.routes:
        no("R-CLN-2", f"route {f.route} is not allowed by the protocol ({', '.join(f.routes)})")
    if f.autologous_donors and list(f.vial_donors) != [f.patient_donor]:
        no(
            "R-CLN-2",
            f"{f.vial} is autologous material of {', '.join(f.vial_donors)}; it may go only "
            "to that donor's own patient record",
        )
    return Decision(tuple(reasons))
