"""Commands for study safety: adverse events linked to administrations, the pause of the whole
study on a serious one, the report deadline and the ethics committee's decision (R-CLN-4)."""

from __future__ import annotations

from datetime import date

from ledger.commands.blinding import kit_link
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.adverse_event import AdverseEvent, Halt
from ledger.domain.patient import Patient
from ledger.domain.product_vial import ProductVial
from ledger.domain.study import Study
from ledger.errors import RuleViolation, Violation
from ledger.identifiers import ItemType

REPORT_AE = "safety.adverse_event"
FILE_REPORT = "safety.report"
ETHICS = "safety.ethics_decision"
HALT = "safety.halt"
FOLLOW_AE = "safety.ae_follow_up"
HALT_REPORT = "safety.halt_report"
UNBLIND = "safety.emergency_unblinding"


class SafetyCommands(LedgerCore):
    def report_adverse_event(
        self,
        actor: Actor,
        patient_code: str,
        administration: int,
        grade: int,
        serious: bool,
        description: str,
        onset: date,
    ) -> tuple[int, Receipt]:
        """An adverse event after administration `administration` of the patient; a serious
        one pauses the study at every site at once (R-CLN-4). Returns its number."""
        actor, patient = self.on_item(
            actor, REPORT_AE, self.loader(ItemType.PATIENT, Patient), patient_code
        )
        study = self.load(patient.study, ItemType.STUDY, Study)
        if administration not in range(1, len(patient.doses) + 1):
            raise RuleViolation(
                [
                    Violation.of(
                        "R-CLN-4",
                        "{patient} has no administration {administration}; link the event to "
                        "the administration it followed",
                        patient=patient.code,
                        administration=administration,
                    )
                ]
            )
        with self.command(actor):
            number = study.report_adverse_event(
                patient.code, administration, grade, serious, description, onset, self.today()
            )
        return number, self.record(study)

    def record_ae_report(
        self, actor: Actor, study_code: str, number: int, reference: str, reported_on: date
    ) -> Receipt:
        """The report on a serious adverse event was filed (§7.3.3)."""
        actor = self.authorise(actor, FILE_REPORT)
        study = self.load(study_code, ItemType.STUDY, Study)
        with self.command(actor):
            study.record_report(number, reference, reported_on, self.today())
        return self.record(study)

    def record_ethics_decision(
        self, actor: Actor, study_code: str, decision: str, reference: str, reason: str
    ) -> Receipt:
        """The ethics committee's signed decision to resume or terminate a paused study
        (R-CLN-4, R-LED-5: the API re-authenticates the signer)."""
        actor, study = self.on_item(actor, ETHICS, self.loader(ItemType.STUDY, Study), study_code)
        with self.command(actor):
            study.decide(decision, reference, reason)
        return self.record(study)

    def halt_study(
        self, actor: Actor, study_code: str, action: str, by: str, reason: str, reference: str
    ) -> tuple[int, Receipt]:
        """Pause, resume or terminate the study for a reason other than a serious adverse
        event, as the sponsor, the investigator or the ethics committee decided; signed by the
        investigator who records it (R-CLN-9, R-LED-5). Returns the decision's number."""
        actor, study = self.on_item(actor, HALT, self.loader(ItemType.STUDY, Study), study_code)
        with self.command(actor):
            number = study.halt(action, by, reason, reference, self.today())
        return number, self.record(study)

    def record_halt_report(
        self, actor: Actor, study_code: str, number: int, reference: str, reported_on: date
    ) -> Receipt:
        """The report on a pause, resumption or termination was filed (R-CLN-9)."""
        actor, study = self.on_item(
            actor, HALT_REPORT, self.loader(ItemType.STUDY, Study), study_code
        )
        with self.command(actor):
            study.record_halt_report(number, reference, reported_on, self.today())
        return self.record(study)

    def list_overdue_halt_reports(self, study_code: str) -> list[Halt]:
        """Pauses, resumptions and terminations whose 5-working-day report is overdue
        (R-CLN-9)."""
        return self.load(study_code, ItemType.STUDY, Study).overdue_halt_reports(self.today())

    def follow_up_adverse_event(
        self,
        actor: Actor,
        patient_code: str,
        number: int,
        note: str,
        resolved: bool = False,
        outcome: str = "",
    ) -> Receipt:
        """A follow-up of the patient's adverse event `number`, until it resolves with its
        outcome (R-CLN-10)."""
        actor, patient = self.on_item(
            actor, FOLLOW_AE, self.loader(ItemType.PATIENT, Patient), patient_code
        )
        study = self.load(patient.study, ItemType.STUDY, Study)
        with self.command(actor):
            study.follow_up_event(number, patient.code, note, resolved, outcome, self.today())
        return self.record(study)

    def list_overdue_ae_follow_ups(self, study_code: str) -> list[AdverseEvent]:
        """Serious adverse events not resolved and not followed up for 30 days (R-CLN-10)."""
        return self.load(study_code, ItemType.STUDY, Study).overdue_follow_ups(self.today())

    def list_overdue_ae_reports(self, study_code: str) -> list[AdverseEvent]:
        """Serious adverse events whose 5-working-day report is overdue (R-CLN-4)."""
        return self.load(study_code, ItemType.STUDY, Study).overdue_reports(self.today())

    def unblind_emergency(
        self, actor: Actor, patient_code: str, vial_code: str, reason: str
    ) -> tuple[str, Receipt]:
        """Emergency unblinding by the restricted role, signed, with the reason (R-CLN-5): the
        event is in the patient's audit trail without the arm; the arm is returned to the
        requester only."""
        actor, patient = self.on_item(
            actor, UNBLIND, self.loader(ItemType.PATIENT, Patient), patient_code
        )
        vial = self.load(vial_code, ItemType.PRODUCT_VIAL, ProductVial)
        with self.command(actor):
            patient.unblind(vial.code, vial.blinding is not None, reason)
        link = kit_link(self, vial)
        return (link.arm if link else ""), self.record(patient)
