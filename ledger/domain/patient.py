"""Patients (R-CLN-1, R-LED-6, §7.2.1): a study subject known only by a pseudonymous code,
enrolled in a study at a site activated for it, with informed consent and a dose cohort; an
autologous patient is linked to the donor code their own cells were collected under. Their
administrations and follow-up are in `ledger.domain.administration`.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from eventsourcing.domain import event

from ledger.domain.administration import Dosing
from ledger.domain.adverse_event import StudyStatus
from ledger.domain.study import Study
from ledger.errors import RuleViolation, Violation


class Consent(TypedDict):
    """The signed informed-consent form (its version) and the day it was signed."""

    form_version: str
    signed_on: date


class Patient(Dosing):
    """A subject of one study at one site."""

    @classmethod
    def enrol(
        cls,
        code: str,
        study: Study,
        site_code: str,
        cohort: str,
        consent: Consent,
        today: date,
        donor_code: str | None = None,
        identity_fields: list[str] | None = None,
    ) -> Patient:
        """Enrol a consented subject at a site active for `study` (R-CLN-1); the application
        checks that `donor_code`, if given, is a registered autologous donor."""
        problems = []
        if site_code not in study.sites:
            problems.append(
                Violation.of(
                    "R-CLN-1",
                    "{study} is not active at {site_code}; activate the site first",
                    study=study.code,
                    site_code=site_code,
                )
            )
        if study.status != StudyStatus.ACTIVE:
            problems.append(
                Violation.of(
                    "R-CLN-4",
                    "{study} is {status:term}; no subject may be enrolled until the study is "
                    "resumed",
                    study=study.code,
                    status=study.status,
                )
            )
        if study.cohort(cohort) is None:
            names = ", ".join(c["name"] for c in study.protocol["cohorts"])
            problems.append(
                Violation.of(
                    "R-CLN-1",
                    "cohort {cohort!r} is not in {study}; use {names}",
                    cohort=cohort,
                    study=study.code,
                    names=names,
                )
            )
        if not consent["form_version"].strip() or consent["signed_on"] > today:
            problems.append(
                Violation.of(
                    "R-CLN-1",
                    "record the signed consent form's version and the day it was signed "
                    "(not in the future)",
                )
            )
        problems.extend(study.randomisation_problems())
        if problems:
            raise RuleViolation(problems)
        study.note_subject(code, site_code)
        study.randomise(code)
        return cls(code, study.code, site_code, cohort, consent, donor_code, identity_fields or [])

    @event("Enrolled")
    def __init__(
        self,
        code: str,
        study: str,
        site: str,
        cohort: str,
        consent: Consent,
        donor: str | None,
        identity_fields: list[str],
    ) -> None:
        self.code = code
        self.study = study
        self.site = site
        self.cohort = cohort
        self.consent: Consent | None = consent
        self.donor = donor
        self.identity_fields = identity_fields  # what the personal-data store holds (R-LED-6)
        self.withdrawn: str | None = None

    @property
    def consented(self) -> bool:
        return self.consent is not None and self.withdrawn is None

    def withdraw_consent(self, reason: str, today: date | None = None) -> None:
        """The subject withdraws (§7.3.3); no further product may be given, and the visits
        due after the withdrawal are no longer scheduled (R-CLN-9)."""
        problems = []
        if self.withdrawn is not None:
            problems.append(
                Violation.of("R-CLN-1", "{code} already withdrew consent", code=self.code)
            )
        if not reason.strip():
            problems.append(Violation.of("R-CLN-1", "record the reason for the withdrawal"))
        if problems:
            raise RuleViolation(problems)
        self._consent_withdrawn(reason.strip(), today)

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, reason: str, withdrawn_on: date | None = None) -> None:
        self.withdrawn = reason
        self.withdrawn_on = withdrawn_on

    def unblind(self, vial: str, blinded: bool, reason: str) -> None:
        """Emergency unblinding of a vial given to this patient (R-CLN-5, §7.2.3): the event
        records who, when and why, never the arm, which only the requester is shown."""
        problems = []
        if vial not in [d["vial"] for d in self.doses]:
            problems.append(
                Violation.of(
                    "R-CLN-5", "{vial} was not administered to {code}", vial=vial, code=self.code
                )
            )
        elif not blinded:
            problems.append(
                Violation.of("R-CLN-5", "{vial} is not blinded; nothing to reveal", vial=vial)
            )
        if not reason.strip():
            problems.append(
                Violation.of("R-CLN-5", "give the medical emergency that requires unblinding")
            )
        if problems:
            raise RuleViolation(problems)
        self._unblinded(vial, reason.strip())

    @event("EmergencyUnblinded")
    def _unblinded(self, vial: str, reason: str) -> None:
        pass
