"""Commands for sites, studies and patients: site registration, study protocols, site
activation, enrolment with consent and cohort, consent withdrawal (R-CLN-1, R-LED-6)."""

from __future__ import annotations

from ledger.commands.donors import DonorCommands
from ledger.core import Actor, Receipt
from ledger.domain.donor import Donor
from ledger.domain.patient import Consent, Patient
from ledger.domain.site import Site
from ledger.domain.study import Protocol, Study
from ledger.errors import InvalidInput, NotFound, RuleViolation, Violation
from ledger.identifiers import ItemType
from ledger.stores.personal_data import PersonalData

SITE = "clinical.site"
STUDY = "clinical.study"
ACTIVATE = "clinical.activate_site"
ENROL = "clinical.enrol"
WITHDRAW = "clinical.withdraw"


class ClinicalCommands(DonorCommands):
    def register_site(self, actor: Actor, name: str) -> tuple[str, Receipt]:
        """Register a clinical institution; returns the new site code (R-CLN-1)."""
        actor = self.authorise(actor, SITE)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.SITE)
            site = Site.register(str(code), name)
        return str(code), self.record(sequence, site)

    def register_study(self, actor: Actor, title: str, protocol: Protocol) -> tuple[str, Receipt]:
        """Register a study under its ethics-approved protocol version (R-CLN-1, R-CLN-6)."""
        actor = self.authorise(actor, STUDY)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.STUDY)
            study = Study.register(str(code), title, protocol)
        return str(code), self.record(sequence, study)

    def activate_site(self, actor: Actor, study_code: str, site_code: str) -> Receipt:
        """Open a study at a registered site (R-CLN-1)."""
        actor, study = self.on_item(actor, ACTIVATE, self.get_study, study_code)
        site = self.get_site(site_code)
        with self.command(actor):
            study.activate_site(site.code)
        return self.record(study)

    def enrol_patient(
        self,
        actor: Actor,
        study_code: str,
        site_code: str,
        cohort: str,
        consent: Consent,
        *,
        donor_code: str | None = None,
        identity: PersonalData | None = None,
    ) -> tuple[str, Receipt]:
        """Enrol a consented subject under a new pseudonymous code; identifying data, if given,
        goes to the personal-data store only (R-CLN-1, R-LED-6). An autologous subject is
        linked to their own donor code."""
        actor, study = self.on_item(actor, ENROL, self.get_study, study_code)
        site = self.get_site(site_code)
        if donor_code is not None:
            self._check_autologous(donor_code)
        fields = identity.fields() if identity is not None else None
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.PATIENT)
            patient = Patient.enrol(
                str(code), study, site.code, cohort, consent, self.today(), donor_code, fields
            )
        receipt = self.record(sequence, study, patient)
        if identity is not None:
            self.personal_data.store(str(code), identity, self.clock())
        return str(code), receipt

    def withdraw_patient_consent(self, actor: Actor, patient_code: str, reason: str) -> Receipt:
        actor, patient = self.on_item(actor, WITHDRAW, self.get_patient, patient_code)
        with self.command(actor):
            patient.withdraw_consent(reason, self.today())
        return self.record(patient)

    def get_site(self, site_code: str) -> Site:
        return self.load(site_code, ItemType.SITE, Site)

    def get_study(self, study_code: str) -> Study:
        return self.load(study_code, ItemType.STUDY, Study)

    def get_patient(self, patient_code: str) -> Patient:
        return self.load(patient_code, ItemType.PATIENT, Patient)

    def get_patient_identity(self, patient_code: str) -> PersonalData | None:
        return self.personal_data.read(self.get_patient(patient_code).code)

    def _check_autologous(self, donor_code: str) -> None:
        try:
            donor = self.load(donor_code, ItemType.DONOR, Donor)
        except (NotFound, InvalidInput):
            donor = None
        if donor is None or not donor.autologous:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-CLN-1",
                        "{donor_code} is not a registered autologous donor; link an autologous "
                        "subject to the donor code their cells were collected under",
                        donor_code=donor_code,
                    )
                ]
            )
