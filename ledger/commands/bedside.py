"""Commands at the bedside: the verification query, the thaw that starts the in-use time, the
administration by a nurse with a verifying pharmacist, and follow-up visits (R-CLN-2, R-CLN-3,
R-CLN-6). Thaw and administration are recorded only when the verification is go at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ledger.commands.blinding import kit_link, sealed_lineage_refusals
from ledger.commands.deviations import quality_refusals
from ledger.commands.donors import donor_standings
from ledger.commands.production import genealogy_tests
from ledger.commands.shipments import shipment_of
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.administration import Dose, DueVisit
from ledger.domain.base import Meaning
from ledger.domain.bedside import COLD_CHAIN, BedsideFacts, Decision, decide
from ledger.domain.lineage import reason_of
from ledger.domain.patient import Patient
from ledger.domain.people import Person, Role
from ledger.domain.product_vial import ProductVial
from ledger.domain.quality import VECTOR_RESIDUE
from ledger.domain.shipment import Shipment
from ledger.domain.study import (
    ENGINEERED_VISITS,
    EXIT_VISIT,
    Study,
    Visit,
    dosing_schedule,
)
from ledger.errors import InvalidInput, NotFound, RuleViolation, Violation
from ledger.identifiers import ItemType
from ledger.messages import Sentence

THAW = "bedside.thaw"
VERIFY = "bedside.verify"
ADMINISTER = "bedside.administer"
FOLLOW_UP = "bedside.follow_up"
EXIT = "clinical.exit"

ADMINISTERED_TO = "administered to"


@dataclass(frozen=True)
class Bedside:
    """The aggregates a bedside step touches, and the facts decided on."""

    facts: BedsideFacts
    vial: ProductVial
    shipment: Shipment | None
    patient: Patient
    study: Study


class BedsideCommands(LedgerCore):
    def verify_bedside(
        self,
        vial_code: str,
        patient_code: str,
        dose: float,
        route: str,
        at: datetime | None = None,
    ) -> Decision:
        """Go / no-go with every reason for giving this vial to this patient (R-CLN-2)."""
        return decide(self._bedside(vial_code, patient_code, dose, route, at).facts)

    def thaw_at_bedside(
        self, actor: Actor, vial_code: str, patient_code: str, dose: float, route: str
    ) -> Receipt:
        """Thaw a vial for a patient; starts its in-use time (R-CLN-2)."""
        actor = self.authorise(actor, THAW)
        found = self._bedside(vial_code, patient_code, dose, route, None)
        decision = decide(found.facts)
        if not decision.go or found.shipment is None:
            raise RuleViolation(list(decision.reasons))
        with self.command(actor):
            found.shipment.record_thaw(found.vial.code, self.clock())
        return self.record(found.shipment)

    def administer(
        self,
        actor: Actor,
        vial_code: str,
        patient_code: str,
        dose: float,
        route: str,
        pharmacist: Actor,
    ) -> tuple[int, Receipt]:
        """The nurse records the administration the pharmacist verified, only on go at this
        moment (R-CLN-2, R-CLN-3); schedules the follow-up (R-CLN-6). Both sign with their
        passwords (R-LED-5): the nurse as performed, the pharmacist as reviewed. Returns the
        administration's number."""
        actor = self.authorise(actor, ADMINISTER)
        pharmacist_code = pharmacist.person_id
        problems = self._pharmacist_problems(pharmacist_code)
        found = self._bedside(vial_code, patient_code, dose, route, None)
        shipment, now = found.shipment, self.clock()
        if problems or shipment is None:
            raise RuleViolation([*decide(found.facts).reasons, *problems])
        verified = self.cosign(pharmacist, VERIFY, Meaning.REVIEWED)
        with self.command(actor, cosign=verified):
            number = found.patient.administer(
                decide(found.facts),
                Dose(
                    vial=found.vial.code,
                    dose=float(dose),
                    unit=found.study.protocol["dose_unit"],
                    route=route,
                    at=now,
                    nurse=actor.person_id,
                    pharmacist=pharmacist_code,
                ),
                found.vial.code in shipment.thawed,
                [*found.study.protocol["follow_up"], *self._long_term(found.vial)],
            )
            found.vial.record_derived([found.patient.code], ADMINISTERED_TO)
            shipment.record_use(found.vial.code, found.patient.code)
        return number, self.record(found.patient, found.vial, shipment)

    def exit_study(self, actor: Actor, patient_code: str, reason: str) -> Receipt:
        """The subject leaves the study: no further dose, and a follow-up visit at least 3
        months later (R-CLN-10)."""
        actor, patient = self.on_item(
            actor, EXIT, self.loader(ItemType.PATIENT, Patient), patient_code
        )
        with self.command(actor):
            patient.exit_study(reason, self.today(), EXIT_VISIT)
        return self.record(patient)

    def _long_term(self, vial: ProductVial) -> tuple[Visit, ...]:
        """Yearly visits to five years when a genetic-modification vector is in the vial's
        genealogy (R-CLN-10); a kit's genealogy is read through its sealed lot."""
        link = kit_link(self, vial)
        start = [link.lot] if link is not None else [vial.code]
        return ENGINEERED_VISITS if VECTOR_RESIDUE in genealogy_tests(self, start) else ()

    def complete_visit(
        self, actor: Actor, patient_code: str, number: int, label: str, done_on: date
    ) -> Receipt:
        """Record a follow-up visit of administration `number` (R-CLN-6)."""
        actor, patient = self.on_item(
            actor, FOLLOW_UP, self.loader(ItemType.PATIENT, Patient), patient_code
        )
        with self.command(actor):
            patient.complete_visit(number, label, done_on, self.today())
        return self.record(patient)

    def list_overdue_visits(self, study_code: str) -> dict[str, list[DueVisit]]:
        """The overdue follow-up visits of each subject of the study that has any (R-CLN-6)."""
        study = self.load(study_code, ItemType.STUDY, Study)
        overdue = {
            code: self.load(code, ItemType.PATIENT, Patient).overdue_visits(self.today())
            for code in study.subjects
        }
        return {code: visits for code, visits in overdue.items() if visits}

    def _pharmacist_problems(self, pharmacist_code: str) -> list[Violation]:
        try:
            person = self.load(pharmacist_code, ItemType.PERSON, Person)
        except (NotFound, InvalidInput):
            return [
                Violation.of(
                    "R-CLN-3",
                    "the verifying pharmacist {pharmacist_code!r} is unknown",
                    pharmacist_code=pharmacist_code,
                )
            ]
        return [
            Violation.of(
                "R-CLN-3", "the verifying pharmacist: {problem}", problem=v.sentence or v.message
            )
            for v in person.missing_for(VERIFY, Role.PHARMACIST.value, self.today())
        ]

    def _bedside(
        self, vial_code: str, patient_code: str, dose: float, route: str, at: datetime | None
    ) -> Bedside:
        vial = self.load(vial_code, ItemType.PRODUCT_VIAL, ProductVial)
        patient = self.load(patient_code, ItemType.PATIENT, Patient)
        study = self.load(patient.study, ItemType.STUDY, Study)
        shipment = shipment_of(self, vial)
        donors = donor_standings(self, vial.donor_codes)
        cohort = study.cohort(patient.cohort)
        allowed, interval = dosing_schedule(study.protocol)
        delivered = shipment is not None and shipment.delivered_at is not None
        facts = BedsideFacts(
            vial=vial.code,
            patient=patient.code,
            dose=float(dose),
            route=route,
            at=at or self.clock(),
            expiry=vial.expiry,
            vial_site=shipment.site if shipment is not None and delivered else None,
            released=shipment is not None and vial.code in shipment.released,
            thawed_at=shipment.thawed.get(vial.code) if shipment else None,
            used_by=shipment.used.get(vial.code) if shipment else None,
            excursion=excursion_of(vial, shipment),
            item_refusals=vial.step_refusals(donors)
            + sealed_lineage_refusals(self, vial)
            + quality_refusals(self, [vial.code]),
            vial_donors=vial.donor_codes,
            autologous_donors=[d.code for d in donors if d.autologous],
            blinded_study=vial.blinding["study"] if vial.blinding else None,
            patient_site=patient.site,
            patient_study=patient.study,
            consented=patient.consented,
            patient_donor=patient.donor,
            study_status=study.status,
            cohort=patient.cohort,
            cohort_doses=cohort["doses"] if cohort else [],
            dose_unit=study.protocol["dose_unit"],
            routes=study.protocol["routes"],
            in_use_minutes=study.protocol["in_use_minutes"],
            dispensed_to=shipment.dispensed.get(vial.code) if shipment else None,
            doses_given=len(patient.doses),
            last_dose_at=patient.doses[-1]["at"] if patient.doses else None,
            administrations=allowed,
            min_interval_hours=interval,
            exited_on=patient.exited_on,
        )
        return Bedside(facts, vial, shipment, patient, study)


def excursion_of(vial: ProductVial, shipment: Shipment | None) -> str | Sentence | None:
    """The unassessed excursion of the vial's shipment, as the vial's hold says it (in the
    reader's language when it was recorded as a sentence), else as the shipment records it."""
    if shipment is None or shipment.excursion is None:
        return None
    holds = [h for h in vial.holds if h["source"] == shipment.code and h["rule"] in COLD_CHAIN]
    return reason_of(holds[-1]) if holds else shipment.excursion
