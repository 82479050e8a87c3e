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


@dataclass(frozen=True)
class StepRule:
    """One step: its key (and training), the roles that record it, what it does, the meaning
    its event is signed with, whether the signer re-authenticates, and the second signer of a
    two-person step (always another person, R-PPL-4)."""

    key: str
    roles: tuple[Role, ...]
    summary: str
    meaning: Meaning = Meaning.PERFORMED
    signed: bool = False
    second: str = ""
    meanings: str = ""  # when the step's commands sign with different meanings

    @property
    def training(self) -> str:
        return self.key

    def row(self) -> dict[str, str]:
        return {
            "step": self.key,
            "roles": ", ".join(r.value for r in self.roles),
            "training": self.training,
            "what": self.summary,
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
    ),
    StepRule("materials.recall", (QA,), "recall a material lot", A, signed=True),
    StepRule("materials.epidemic_areas", (QA,), "declare or lift an epidemic area", A),
    # donors (R-DON)
    StepRule("donors.register", (INVESTIGATOR,), "register a donor"),
    StepRule("donors.consent", (INVESTIGATOR,), "record or withdraw a donor's consent"),
    StepRule("donors.screen", (INVESTIGATOR, QC), "record a donor screening"),
    StepRule("donors.eligibility", (QA,), "determine donor eligibility", A, signed=True),
    StepRule("donors.lookback", (QA,), "declare a donor ineligible (look-back)", A, signed=True),
    StepRule(
        "donors.personal_data", (INVESTIGATOR, ADMINISTRATOR), "record or erase identity data"
    ),
    # cells and banks (R-CB)
    StepRule("cells.collect", (OPERATOR,), "receive a donor collection"),
    StepRule("cells.isolate", (OPERATOR,), "isolate cells from a collection"),
    StepRule("cells.clone", (OPERATOR,), "pick clones"),
    StepRule("cells.identity", (QC,), "confirm cell identity"),
    StepRule("cells.engineer", (OPERATOR,), "record a genetic modification"),
    StepRule("cells.receive_line", (OPERATOR,), "receive an external cell line"),
    StepRule("banks.establish", (OPERATOR,), "establish a cell bank and its vials"),
    StepRule("banks.test", (QC,), "record a bank test result"),
    StepRule("banks.release", (QA,), "release a cell bank", R, signed=True),
    StepRule("banks.thaw", (OPERATOR,), "thaw a bank vial"),
    # production (R-PRO)
    StepRule("production.culture", (OPERATOR,), "start a culture"),
    StepRule("production.passage", (OPERATOR,), "record a passage"),
    StepRule("production.collection_stage", (OPERATOR,), "start supernatant collection"),
    StepRule("production.harvest", (OPERATOR,), "harvest supernatant"),
    StepRule("production.purify", (OPERATOR,), "purify harvests into a lot"),
    StepRule("production.placebo", (OPERATOR,), "formulate a placebo lot"),
    StepRule("production.fill", (OPERATOR,), "fill a lot into vials"),
    StepRule("production.kits", (OPERATOR,), "fill a blinded study's kits (sealed)"),
    StepRule(
        "production.dispose",
        (OPERATOR, QA),
        "dispose of an item",
        signed=True,
        second="a witness (another registered person), signing as witnessed",
    ),
    # quality (R-QC)
    StepRule("quality.specification", (QA,), "issue or revise a specification", A),
    StepRule("quality.test", (QC,), "record a lot's QC result"),
    StepRule("quality.certify", (QA,), "certify a lot", A, signed=True),
    StepRule("quality.change", (QA,), "record a major change", A),
    StepRule("quality.comparability", (QA,), "assess comparability after a change", A),
    StepRule("ledger.correct", (OPERATOR, QC, QA, INVESTIGATOR), "strike out an entry"),
    # sites, studies, patients (R-CLN)
    StepRule("clinical.site", (ADMINISTRATOR,), "register a clinical site"),
    StepRule("clinical.study", (INVESTIGATOR,), "register a study under its protocol", A),
    StepRule("clinical.activate_site", (INVESTIGATOR,), "activate a site for a study", A),
    StepRule("clinical.enrol", (INVESTIGATOR,), "enrol a patient"),
    StepRule("clinical.withdraw", (INVESTIGATOR,), "withdraw a patient's consent"),
    # cold chain (R-SHP, R-QC-4)
    StepRule("shipment.ship", (OPERATOR,), "ship vials to a site"),
    StepRule("shipment.hand_off", (OPERATOR, PHARMACIST), "hand a shipment over"),
    StepRule("shipment.logger", (OPERATOR, PHARMACIST), "record logger readings"),
    StepRule("shipment.assess_excursion", (QA,), "assess a temperature excursion", A),
    StepRule("shipment.deliver", (PHARMACIST,), "take delivery at the site"),
    StepRule("shipment.inspect_receipt", (PHARMACIST,), "re-inspect a received shipment"),
    StepRule("shipment.qp_release", (QP,), "release a shipment for use", R, signed=True),
    # site pharmacy and bedside (R-CLN-2, R-CLN-3, R-CLN-5)
    StepRule("pharmacy.store", (PHARMACIST,), "store vials in the site pharmacy"),
    StepRule("pharmacy.dispense", (PHARMACIST,), "dispense a vial for a patient"),
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
    StepRule("bedside.follow_up", (INVESTIGATOR, NURSE), "record a follow-up visit"),
    # safety (R-CLN-4, R-CLN-5)
    StepRule("safety.adverse_event", (INVESTIGATOR, NURSE), "report an adverse event"),
    StepRule("safety.report", (INVESTIGATOR,), "file an SAE report"),
    StepRule(
        "safety.ethics_decision", (INVESTIGATOR,), "the ethics committee's decision", A, signed=True
    ),
    StepRule(
        "safety.emergency_unblinding",
        (INVESTIGATOR,),
        "unblind a patient's kit in an emergency",
        A,
        signed=True,
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
