"""The next steps of a scanned shipment, patient or study at the clinical site: custody,
logger file, delivery, receipt re-inspection, the QP's signed release, storage in the site
pharmacy (R-SHP-1..3, R-QC-4, R-TRC-2); dispensing for a subject (R-CLN-2),
follow-up visits, adverse events, consent withdrawal, emergency unblinding (R-CLN-1, R-CLN-4..6);
the ethics decision on a paused study and enrolment (R-CLN-1, R-CLN-4)."""

from __future__ import annotations

from ledger.api.step_model import Step, StepField

SHIPMENT = ("SHP",)
PATIENT = ("PAT",)
STUDY = ("STU",)
DOSED = ("administered",)
SUBJECT = ("enrolled", "administered")

CLINICAL_STEPS: tuple[Step, ...] = (
    Step(
        "hand_off",
        SHIPMENT,
        "shipment.hand_off",
        "/shipments/{code}/hand-off",
        (StepField("custodian"),),
        only_when=("in transit",),
    ),
    Step(
        "logger_upload",
        SHIPMENT,
        "shipment.logger",
        "/shipments/{code}/logger",
        (StepField("logger"), StepField("csv", "file")),
        only_when=("in transit", "at site"),
    ),
    Step(
        "deliver",
        SHIPMENT,
        "shipment.deliver",
        "/shipments/{code}/delivery",
        only_when=("in transit",),
    ),
    Step(
        "inspect_receipt",
        SHIPMENT,
        "shipment.inspect_receipt",
        "/shipments/{code}/receipt-inspection",
        (
            StepField("passed", "list", required=False),
            StepField("failed", "reasons", required=False),
        ),
        only_when=("at site",),
    ),
    Step(
        "qp_release",
        SHIPMENT,
        "shipment.qp_release",
        "/shipments/{code}/release",
        only_when=("re-inspected",),
    ),
    Step(
        "store",
        SHIPMENT,
        "pharmacy.store",
        "/shipments/{code}/storage",
        (
            StepField("vials", "list"),
            StepField("place"),
            StepField("unit_c", "number", default=-80),
        ),
        only_when=("re-inspected", "released for use"),
    ),
    Step(
        "follow_up_visit",
        PATIENT,
        "bedside.follow_up",
        "/patients/{code}/visits",
        (
            StepField("administration", "number", default=1),
            StepField("label", default="day 1"),
            StepField("done_on", "date"),
        ),
        only_when=DOSED,
    ),
    Step(
        "adverse_event",
        PATIENT,
        "safety.adverse_event",
        "/patients/{code}/adverse-events",
        (
            StepField("administration", "number", default=1),
            StepField("grade", "select", ("1", "2", "3", "4", "5"), "1"),
            StepField("serious", "checkbox", default=False, required=False),
            StepField("description"),
            StepField("onset", "date"),
        ),
        only_when=DOSED,
    ),
    Step(
        "unblind",
        PATIENT,
        "safety.emergency_unblinding",
        "/patients/{code}/unblinding",
        (StepField("vial"), StepField("reason")),
        only_when=DOSED,
    ),
    Step(
        "dispense",
        PATIENT,
        "pharmacy.dispense",
        "/patients/{code}/dispense",
        (StepField("place", default="ward"), StepField("vial", required=False)),
        only_when=SUBJECT,
    ),
    Step(
        "withdraw_consent",
        PATIENT,
        "clinical.withdraw",
        "/patients/{code}/consent/withdraw",
        (StepField("reason"),),
        only_when=SUBJECT,
    ),
    Step(
        "ethics_decision",
        STUDY,
        "safety.ethics_decision",
        "/studies/{code}/ethics-decision",
        (
            StepField("decision", "select", ("resume", "terminate"), "resume"),
            StepField("reference"),
            StepField("reason"),
        ),
        only_when=("paused",),
    ),
    Step(
        "enrol",
        STUDY,
        "clinical.enrol",
        "/patients",
        (
            StepField("study", "item"),
            StepField("site"),
            StepField("cohort"),
            StepField("consent.form_version"),
            StepField("consent.signed_on", "date"),
        ),
        only_when=("active",),
    ),
)
