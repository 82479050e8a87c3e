"""The step registry (R-PPL-2, R-LED-5, R-PPL-4): every step the ledger records, who may record
it, with which signature meaning, whether it is a signed decision (the signer re-enters their
password) and whether a second person signs too. Decided once, here: the application checks
role and training from it for every entry point (`LedgerCore.authorise`), the demo trains its
staff from it, the API offers next steps and `GET /api/v1/steps` from it, and `celltrace
steps` prints it as the table QA approves (`docs/steps.md` is generated from it).

A step's key is also the name of the training that qualifies for it: training records name
these keys, so a key is never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.base import Meaning
from ledger.domain.people import Role

OPERATOR, QC, QA, QP = Role.OPERATOR, Role.QC_ANALYST, Role.QA, Role.QP
PHARMACIST, NURSE, INVESTIGATOR = Role.PHARMACIST, Role.NURSE, Role.INVESTIGATOR
ADMINISTRATOR = Role.ADMINISTRATOR
P, A, R = Meaning.PERFORMED, Meaning.APPROVED, Meaning.RELEASED
BANKS = ("SCB", "MCB", "WCB")
DOSED = ("administered", "left the study")
SUBJECT = ("enrolled", "administered")
#: Items of donor origin (R-DON-8).
DERIVED = ("COL", "CEL", "CLN", "SCB", "MCB", "WCB", "BVL", "CUL", "HRV", "LOT", "PVL")


#: Statuses in which no step is recorded on an item, unless its rule names them.
STOPPED = ("on hold", "disposed", "ineligible", "rejected", "recalled", "closed", "distributed")


@dataclass(frozen=True)
class StepRule:
    """One step: its key (and training), the roles that record it, what it does, the meaning
    its event is signed with, whether the signer re-authenticates, and the second signer of a
    two-person step (always another person, R-PPL-4).

    A step recorded on one scanned item also names the item types it applies to (`on`, code
    prefixes), the statuses it needs (`when`, any status when empty) and those it is never
    recorded in (`unless`), with the requirement that orders it (`rule`). The statuses are the
    items view's (`ledger.item_effects`); the application refuses the step on an item in
    another status, and the stations offer it only where it applies."""

    key: str
    roles: tuple[Role, ...]
    summary: str
    meaning: Meaning = Meaning.PERFORMED
    signed: bool = False
    second: str = ""
    meanings: str = ""  # when the step's commands sign with different meanings
    on: tuple[str, ...] = ()
    when: tuple[str, ...] = ()
    unless: tuple[str, ...] = STOPPED
    rule: str = ""

    @property
    def training(self) -> str:
        return self.key

    def applies(self, item_type: str, status: str) -> bool:
        """Whether the step is recorded on an item of this type in this status."""
        if item_type not in self.on or status in self.unless:
            return False
        return not self.when or status in self.when

    def applies_to(self) -> str:
        """The items and statuses, as one line of the table QA approves."""
        if not self.on:
            return "-"
        when = f" when {' or '.join(self.when)}" if self.when else ""
        unless = f", not {' or '.join(s for s in self.unless if s not in self.when)}"
        return f"{'/'.join(self.on)}{when}{unless if not self.when else ''}"

    def row(self) -> dict[str, str]:
        return {
            "step": self.key,
            "roles": ", ".join(r.value for r in self.roles),
            "training": self.training,
            "what": self.summary,
            "applies to": self.applies_to(),
            "meaning": self.meanings or self.meaning.value,
            "signature": "re-entered password" if self.signed else "session",
            "second person": self.second or "-",
        }


def _rules(*rules: StepRule) -> dict[str, StepRule]:
    found: dict[str, StepRule] = {}
    for rule in rules:
        if rule.key in found:
            raise ValueError(f"step {rule.key} is declared twice")
        found[rule.key] = rule
    return found


STEPS: dict[str, StepRule] = _rules(
    # people (R-PPL-1)
    StepRule("people.administer", (ADMINISTRATOR,), "register people, roles, training, QPs"),
    # materials (R-MAT)
    StepRule("materials.define", (QA,), "define a material and its grade", A),
    StepRule("materials.receive", (OPERATOR,), "receive a material lot into quarantine"),
    StepRule(
        "materials.disposition",
        (QC, QA),
        "release or reject a material lot",
        R,
        signed=True,
        meanings="released (release), approved (rejection)",
        on=("MAT",),
        when=("active", "quarantine", "received"),
        rule="R-MAT-1",
    ),
    StepRule(
        "materials.recall",
        (QA,),
        "recall a material lot",
        A,
        signed=True,
        on=("MAT",),
        when=("released",),
        rule="R-MAT-1",
    ),
    StepRule("materials.epidemic_areas", (QA,), "declare or lift an epidemic area", A),
    # donors (R-DON)
    StepRule("donors.register", (INVESTIGATOR,), "register a donor"),
    StepRule("donors.consent", (INVESTIGATOR,), "record or withdraw a donor's consent"),
    StepRule("donors.screen", (INVESTIGATOR, QC), "record a donor screening"),
    StepRule(
        "donors.eligibility",
        (QA,),
        "determine donor eligibility",
        A,
        signed=True,
        on=("DON",),
        rule="R-DON-4",
    ),
    StepRule(
        "donors.lookback",
        (QA,),
        "declare a donor ineligible (look-back)",
        A,
        signed=True,
        on=("DON",),
        when=("eligible",),
        rule="R-DON-7",
    ),
    StepRule(
        "donors.personal_data", (INVESTIGATOR, ADMINISTRATOR), "record or erase identity data"
    ),
    # cells and banks (R-CB)
    StepRule("cells.collect", (OPERATOR,), "receive a donor collection"),
    StepRule(
        "cells.isolate", (OPERATOR,), "isolate cells from a collection", on=("COL",), rule="R-CB-2"
    ),
    StepRule("cells.clone", (OPERATOR,), "pick clones"),
    StepRule("cells.identity", (QC,), "confirm cell identity"),
    StepRule("cells.engineer", (OPERATOR,), "record a genetic modification"),
    StepRule("cells.receive_line", (OPERATOR,), "receive an external cell line"),
    StepRule("banks.establish", (OPERATOR,), "establish a cell bank and its vials"),
    StepRule(
        "banks.test",
        (QC,),
        "record a bank test result",
        on=BANKS,
        unless=(*STOPPED, "released"),
        rule="R-CB-5",
    ),
    StepRule(
        "banks.release",
        (QA,),
        "release a cell bank",
        R,
        signed=True,
        on=BANKS,
        unless=(*STOPPED, "released"),
        rule="R-CB-5",
    ),
    StepRule(
        "banks.thaw",
        (OPERATOR,),
        "thaw a bank vial",
        on=("BVL",),
        when=("in storage", "active"),
        rule="R-CB-6",
    ),
    # production (R-PRO)
    StepRule(
        "production.culture",
        (OPERATOR,),
        "start a culture",
        on=("BVL",),
        when=("thawed",),
        rule="R-CB-5",
    ),
    StepRule(
        "production.passage",
        (OPERATOR,),
        "record a passage",
        on=("CUL",),
        when=("in culture",),
        rule="R-PRO-1",
    ),
    StepRule(
        "production.collection_stage",
        (OPERATOR,),
        "start supernatant collection",
        on=("CUL",),
        when=("in culture",),
        rule="R-PRO-2",
    ),
    StepRule(
        "production.harvest",
        (OPERATOR,),
        "harvest supernatant",
        on=("CUL",),
        when=("collecting supernatant",),
        rule="R-PRO-2",
    ),
    StepRule("production.purify", (OPERATOR,), "purify harvests into a lot"),
    StepRule("production.placebo", (OPERATOR,), "formulate a placebo lot"),
    StepRule(
        "production.fill",
        (OPERATOR,),
        "fill a lot into vials",
        on=("LOT",),
        rule="R-PRO-4",
    ),
    StepRule("production.kits", (OPERATOR,), "fill a blinded study's kits (sealed)"),
    StepRule(
        "production.retain",
        (OPERATOR, QC),
        "keep vials of a lot as its retained samples",
        on=("LOT",),
        rule="R-QMS-6",
    ),
    StepRule(
        "production.dispose",
        (OPERATOR, QA),
        "dispose of an item",
        signed=True,
        second="a witness (another registered person), signing as witnessed",
    ),
    StepRule(
        "donors.distribution",
        (QA,),
        "send donor material or its data to another institution or project",
        A,
        signed=True,
        on=DERIVED,
        rule="R-DON-8",
    ),
    # quality (R-QC)
    StepRule("quality.specification", (QA,), "issue or revise a specification", A),
    StepRule(
        "quality.test",
        (QC,),
        "record a lot's QC result",
        on=("LOT",),
        rule="R-QC-2",
    ),
    StepRule(
        "quality.certify",
        (QA,),
        "certify a lot",
        A,
        signed=True,
        on=("LOT",),
        when=("awaiting QC",),
        rule="R-QC-2",
    ),
    StepRule(
        "quality.oos_finding",
        (QC, QA),
        "record an OOS investigation's finding (phase I laboratory, phase II production)",
        on=("LOT",),
        when=("quarantined",),
        unless=("disposed", "rejected", "recalled"),
        rule="R-QMS-1",
    ),
    StepRule(
        "quality.oos_conclusion",
        (QA,),
        "conclude an OOS investigation: result invalidated (assignable cause) or confirmed",
        A,
        signed=True,
        on=("LOT",),
        when=("quarantined",),
        unless=("disposed", "rejected", "recalled"),
        rule="R-QMS-1",
    ),
    StepRule(
        "quality.reject",
        (QA,),
        "reject a lot (it can then only be disposed of)",
        A,
        signed=True,
        on=("LOT",),
        when=("quarantined", "awaiting QC"),
        rule="R-QMS-5",
    ),
    StepRule(
        "quality.deviation",
        (OPERATOR, QC, QA, PHARMACIST),
        "record a deviation against items (major and critical ones hold them)",
    ),
    StepRule(
        "quality.deviation_close",
        (QA,),
        "close a deviation with its impact assessment and CAPA actions",
        A,
        signed=True,
        on=("DEV",),
        when=("open",),
        rule="R-QMS-2",
    ),
    StepRule(
        "quality.capa",
        (QA,),
        "plan a CAPA action of a deviation: owner, due date",
        A,
        on=("DEV",),
        when=("open",),
        rule="R-QMS-4",
    ),
    StepRule(
        "quality.capa_done",
        (OPERATOR, QC, QA, PHARMACIST),
        "record a CAPA action done",
        on=("CPA",),
        when=("planned",),
        rule="R-QMS-4",
    ),
    StepRule(
        "quality.capa_effectiveness",
        (QA,),
        "check a CAPA action's effectiveness",
        A,
        signed=True,
        on=("CPA",),
        when=("done",),
        rule="R-QMS-4",
    ),
    StepRule(
        "quality.reconcile_lot",
        (OPERATOR, QA),
        "count a lot's retained samples and stock against the record",
        on=("LOT",),
        unless=("disposed", "closed"),
        rule="R-QMS-6",
    ),
    StepRule(
        "quality.close_lot",
        (QA,),
        "close a lot once every vial is accounted for",
        A,
        signed=True,
        on=("LOT",),
        when=("certified", "rejected"),
        rule="R-QMS-6",
    ),
    StepRule("quality.change", (QA,), "record a major change", A),
    StepRule("quality.comparability", (QA,), "assess comparability after a change", A),
    StepRule("ledger.correct", (OPERATOR, QC, QA, INVESTIGATOR), "strike out an entry"),
    # sites, studies, patients (R-CLN)
    StepRule("clinical.site", (ADMINISTRATOR,), "register a clinical site"),
    StepRule("clinical.study", (INVESTIGATOR,), "register a study under its protocol", A),
    StepRule("clinical.activate_site", (INVESTIGATOR,), "activate a site for a study", A),
    StepRule(
        "clinical.enrol",
        (INVESTIGATOR,),
        "enrol a patient",
        on=("STU",),
        when=("active",),
        rule="R-CLN-1",
    ),
    StepRule(
        "clinical.exit",
        (INVESTIGATOR,),
        "record a subject leaving the study (schedules the visit 3 months later)",
        on=("PAT",),
        when=("administered",),
        rule="R-CLN-10",
    ),
    StepRule(
        "clinical.withdraw",
        (INVESTIGATOR,),
        "withdraw a patient's consent",
        on=("PAT",),
        when=SUBJECT,
        rule="R-CLN-1",
    ),
    # cold chain (R-SHP, R-QC-4)
    StepRule("shipment.ship", (OPERATOR,), "ship vials to a site"),
    StepRule(
        "shipment.hand_off",
        (OPERATOR, PHARMACIST),
        "hand a shipment over",
        on=("SHP",),
        when=("in transit",),
        rule="R-SHP-1",
    ),
    StepRule(
        "shipment.logger",
        (OPERATOR, PHARMACIST),
        "record logger readings",
        on=("SHP",),
        when=("in transit", "at site", "re-inspected", "released for use"),
        rule="R-SHP-2",
    ),
    StepRule("shipment.assess_excursion", (QA,), "assess a temperature excursion", A),
    StepRule(
        "shipment.deliver",
        (PHARMACIST,),
        "take delivery at the site",
        on=("SHP",),
        when=("in transit",),
        rule="R-SHP-1",
    ),
    StepRule(
        "shipment.inspect_receipt",
        (PHARMACIST,),
        "re-inspect a received shipment",
        on=("SHP",),
        when=("at site",),
        rule="R-SHP-3",
    ),
    StepRule(
        "shipment.qp_release",
        (QP,),
        "release a shipment for use",
        R,
        signed=True,
        on=("SHP",),
        when=("re-inspected",),
        rule="R-QC-4",
    ),
    StepRule(
        "shipment.return",
        (PHARMACIST,),
        "return vials of a shipment to the manufacturer",
        on=("SHP",),
        when=("re-inspected", "released for use"),
        rule="R-QMS-6",
    ),
    StepRule(
        "shipment.return_receipt",
        (OPERATOR, QA),
        "receive returned vials back at the manufacturer",
        on=("RTN",),
        when=("returning",),
        rule="R-QMS-6",
    ),
    # monitored storage units at the sites and the manufacturer (R-SHP-5)
    StepRule("storage.register", (QA, PHARMACIST), "register a monitored storage unit"),
    StepRule(
        "storage.put",
        (OPERATOR, QA),
        "put the manufacturer's product vials into one of its storage units",
        on=("UNT",),
        unless=(*STOPPED, "excursion"),
        rule="R-SHP-5",
    ),
    StepRule(
        "storage.logger",
        (OPERATOR, PHARMACIST),
        "record a storage unit's logger readings",
        on=("UNT",),
        rule="R-SHP-5",
    ),
    StepRule(
        "storage.assess_excursion",
        (QA,),
        "assess a storage unit's temperature excursion",
        A,
        on=("UNT",),
        when=("excursion",),
        rule="R-SHP-5",
    ),
    # site pharmacy and bedside (R-CLN-2, R-CLN-3, R-CLN-5)
    StepRule(
        "pharmacy.store",
        (PHARMACIST,),
        "store vials in the site pharmacy",
        on=("SHP",),
        when=("re-inspected", "released for use"),
        rule="R-SHP-3",
    ),
    StepRule(
        "pharmacy.reconcile",
        (PHARMACIST,),
        "count a shipment's vials in stock at the site against the record",
        on=("SHP",),
        when=("re-inspected", "released for use"),
        rule="R-QMS-6",
    ),
    StepRule(
        "pharmacy.dispense",
        (PHARMACIST,),
        "dispense a vial for a patient",
        on=("PAT",),
        when=SUBJECT,
        rule="R-CLN-2",
    ),
    StepRule(
        "pharmacy.randomisation",
        (INVESTIGATOR,),
        "load a blinded study's randomisation list (sealed)",
        A,
        signed=True,
    ),
    StepRule("bedside.thaw", (NURSE, PHARMACIST), "thaw a vial at the bedside"),
    StepRule(
        "bedside.verify",
        (PHARMACIST,),
        "verify an administration (second signer)",
        Meaning.REVIEWED,
        signed=True,
    ),
    StepRule(
        "bedside.administer",
        (NURSE,),
        "record an administration",
        signed=True,
        second="the verifying pharmacist, signing too",
    ),
    StepRule(
        "bedside.follow_up",
        (INVESTIGATOR, NURSE),
        "record a follow-up visit",
        on=("PAT",),
        when=DOSED,
        rule="R-CLN-6",
    ),
    # safety (R-CLN-4, R-CLN-5)
    StepRule(
        "safety.adverse_event",
        (INVESTIGATOR, NURSE),
        "report an adverse event",
        on=("PAT",),
        when=DOSED,
        rule="R-CLN-4",
    ),
    StepRule("safety.report", (INVESTIGATOR,), "file an SAE report"),
    StepRule(
        "safety.ae_follow_up",
        (INVESTIGATOR, NURSE),
        "follow an adverse event up until it resolves",
        on=("PAT",),
        when=DOSED,
        rule="R-CLN-10",
    ),
    StepRule(
        "safety.ethics_decision",
        (INVESTIGATOR,),
        "the ethics committee's decision",
        A,
        signed=True,
        on=("STU",),
        when=("paused",),
        rule="R-CLN-4",
    ),
    StepRule(
        "safety.halt",
        (INVESTIGATOR,),
        "pause, resume or terminate a study (sponsor, investigator or ethics committee)",
        A,
        signed=True,
        on=("STU",),
        when=("active", "paused"),
        rule="R-CLN-9",
    ),
    StepRule(
        "safety.halt_report",
        (INVESTIGATOR,),
        "file the report on a pause, resumption or termination",
        on=("STU",),
        unless=(),
        rule="R-CLN-9",
    ),
    StepRule(
        "safety.emergency_unblinding",
        (INVESTIGATOR,),
        "unblind a patient's kit in an emergency",
        A,
        signed=True,
        on=("PAT",),
        when=DOSED,
        rule="R-CLN-5",
    ),
)


def step(key: str) -> StepRule:
    """The rule of step `key` (a programming error when unknown: every command names one)."""
    return STEPS[key]


def markdown_table() -> str:
    """The registry as the Markdown table of `docs/steps.md`."""
    rows = [rule.row() for rule in STEPS.values()]
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row[h] for h in head) + " |" for row in rows]
    return "\n".join(lines)
