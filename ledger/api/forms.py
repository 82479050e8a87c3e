"""How the stations ask for each step offered on a scanned item: the API call that records it
and the fields of its short form, with sensible defaults. Which steps an item is offered, who
may record them and whether they are signed all come from the step registry
(`ledger/commands/registry.py`); the application checks all of it again when the step is posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ledger.commands.registry import StepRule
from ledger.commands.registry import step as registry_step

# "item": filled with the scanned item's own code; "lot": a material lot scanned in; "file":
# the text of a chosen file (a logger's CSV); "list": codes scanned one per line, sent as a
# list; "reasons": lines of "CODE reason", sent as an object {code: reason}.
FieldKind = Literal[
    "text",
    "number",
    "date",
    "checkbox",
    "select",
    "password",
    "lot",
    "item",
    "file",
    "list",
    "reasons",
    "meaning",
]


@dataclass(frozen=True)
class StepField:
    name: str
    kind: FieldKind = "text"
    options: tuple[str, ...] = ()
    default: Any = None
    required: bool = True


@dataclass(frozen=True)
class Form:
    """The form of step `step` of the registry, which says on what it is recorded, who may
    record it and whether it is signed; here only how the station asks for it."""

    key: str
    step: str  # the registry key
    path: str  # with {code}
    fields: tuple[StepField, ...] = ()
    meaning: str = ""  # when this form's command signs with another of the step's meanings

    @property
    def rule(self) -> StepRule:
        return registry_step(self.step)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(role.value for role in self.rule.roles)

    @property
    def signed(self) -> bool:
        """R-LED-5: the form asks for the signer's password."""
        return self.rule.signed

    @property
    def signature_meaning(self) -> str:
        """The meaning the signer is shown and signs with (R-LED-5, 21 CFR 11.50)."""
        return self.meaning or self.rule.meaning.value

    def applies(self, item_type: str, status: str) -> bool:
        return self.rule.applies(item_type, status)

    def describe(self, code: str) -> dict[str, Any]:
        fields = list(self.fields)
        if self.signed:
            fields.append(StepField("signature.password", "password"))
            # shown beside the password and sent: the application refuses another (422)
            fields.append(StepField("signature.meaning", "meaning", default=self.signature_meaning))
        return {
            "key": self.key,
            "method": "POST",
            "path": "/api/v1" + self.path.format(code=code),
            "roles": list(self.roles),
            "signed": self.signed,
            "fields": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "options": list(f.options),
                    "default": f.default,
                    "required": f.required,
                }
                for f in fields
            ],
        }


# Domains I and II: cells, banks, production, QC, materials, donors (R-CB, R-PRO, R-QC,
# R-MAT, R-DON); Domain III: the shipment's custody to the site pharmacy, the patient at
# the bedside, the study (R-SHP, R-QC-4, R-CLN).
FORMS: tuple[Form, ...] = (
    Form(
        "thaw",
        "banks.thaw",
        "/vials/{code}/thaw",
        (
            StepField("purpose", "select", ("production", "testing"), "production"),
            StepField("viability_pct", "number"),
        ),
    ),
    Form(
        "start_culture",
        "production.culture",
        "/cultures",
        (StepField("vial", "item"), StepField("medium.0.lot", "lot")),
    ),
    Form(
        "passage",
        "production.passage",
        "/cultures/{code}/passages",
        (
            StepField("number", "number"),
            StepField("feed", default="50 % every 48 h"),
            StepField("dissociation", default="TrypLE, 5 min, 37 °C"),
            StepField("medium.0.lot", "lot"),
        ),
    ),
    Form(
        "collection_stage",
        "production.collection_stage",
        "/cultures/{code}/collection-stage",
        (StepField("medium.0.lot", "lot"),),
    ),
    Form(
        "harvest",
        "production.harvest",
        "/cultures/{code}/harvests",
        (StepField("volume_ml", "number"), StepField("medium.0.lot", "lot")),
    ),
    Form(
        "lot_result",
        "quality.test",
        "/lots/{code}/results",
        (
            StepField("test"),
            StepField("method"),
            StepField("laboratory", default="in-house QC"),
            StepField("third_party", "checkbox", default=False, required=False),
            StepField("value"),
            StepField("unit", required=False, default=""),
            StepField("in_spec", "checkbox", default=True, required=False),
            StepField("limit", required=False, default=""),
            StepField("report_ref"),
            StepField("tested_on", "date"),
            StepField("replaces", "number", required=False),
        ),
    ),
    Form(
        "oos_finding",
        "quality.oos_finding",
        "/lots/{code}/oos-findings",
        (
            StepField("investigation", "number", default=1),
            StepField("phase", "select", ("laboratory", "production"), "laboratory"),
            StepField("finding"),
        ),
    ),
    Form(
        "oos_conclusion",
        "quality.oos_conclusion",
        "/lots/{code}/oos-conclusion",
        (
            StepField("investigation", "number", default=1),
            StepField("invalidate", "checkbox", default=False, required=False),
            StepField("assignable_cause", required=False, default=""),
            StepField("conclusion"),
        ),
    ),
    Form(
        "close_deviation",
        "quality.deviation_close",
        "/deviations/{code}/close",
        (
            StepField("impact"),
            StepField("root_cause"),
            StepField("capas", "list", required=False),
        ),
    ),
    Form(
        "plan_capa",
        "quality.capa",
        "/deviations/{code}/capas",
        (StepField("action"), StepField("owner"), StepField("due_on", "date")),
    ),
    Form(
        "capa_done",
        "quality.capa_done",
        "/capas/{code}/done",
        (StepField("done_on", "date"), StepField("note", required=False, default="")),
    ),
    Form(
        "capa_effectiveness",
        "quality.capa_effectiveness",
        "/capas/{code}/effectiveness",
        (StepField("effective", "checkbox", default=True, required=False), StepField("evidence")),
    ),
    Form(
        "reject_lot",
        "quality.reject",
        "/lots/{code}/reject",
        (StepField("reason"),),
    ),
    Form(
        "certify",
        "quality.certify",
        "/lots/{code}/certify",
    ),
    Form(
        "distribute",
        "donors.distribution",
        "/items/{code}/distributions",
        (
            StepField("what", "select", ("material", "data"), "material"),
            StepField("institution"),
            StepField("project"),
            StepField("reference"),
        ),
    ),
    Form(
        "retain",
        "production.retain",
        "/lots/{code}/retained-samples",
        (StepField("vials", "list"), StepField("place", default="Retention store")),
    ),
    Form(
        "reconcile_lot",
        "quality.reconcile_lot",
        "/lots/{code}/reconciliation",
        (
            StepField("retained", "number"),
            StepField("in_stock", "number"),
            StepField("note", required=False, default=""),
        ),
    ),
    Form(
        "close_lot",
        "quality.close_lot",
        "/lots/{code}/close",
    ),
    Form(
        "fill",
        "production.fill",
        "/lots/{code}/fill",
        (
            StepField("vials", "number", default=10),
            StepField("volume_ml", "number", default=1.0),
            StepField("container", default="2 mL cryovial"),
        ),
    ),
    Form(
        "isolate",
        "cells.isolate",
        "/collections/{code}/isolations",
        (
            StepField(
                "method",
                "select",
                ("enzymatic", "mechanical", "sorting", "density_gradient"),
                "enzymatic",
            ),
            StepField("cell_type", default="umbilical cord MSC"),
            StepField("portions", "number", default=1),
            StepField("materials.0.lot", "lot"),
        ),
    ),
    Form(
        "bank_test",
        "banks.test",
        "/banks/{code}/tests",
        (
            StepField(
                "test",
                "select",
                (
                    "sterility",
                    "mycoplasma",
                    "endotoxin",
                    "adventitious_virus",
                    "endogenous_virus",
                    "identity",
                ),
            ),
            StepField("passed", "checkbox", default=True, required=False),
            StepField("laboratory"),
            StepField("third_party", "checkbox", default=True, required=False),
            StepField("report_ref"),
            StepField("tested_on", "date"),
        ),
    ),
    Form(
        "bank_release",
        "banks.release",
        "/banks/{code}/release",
    ),
    Form(
        "material_release",
        "materials.disposition",
        "/materials/lots/{code}/release",
        (StepField("qc_record_ref"),),
    ),
    Form(
        "material_reject",
        "materials.disposition",
        "/materials/lots/{code}/reject",
        (StepField("reason"),),
        meaning="approved",
    ),
    Form(
        "material_recall",
        "materials.recall",
        "/materials/lots/{code}/recall",
        (StepField("reason"),),
    ),
    Form(
        "eligibility",
        "donors.eligibility",
        "/donors/{code}/eligibility",
        (
            StepField("eligible", "checkbox", default=True, required=False),
            StepField("reason"),
        ),
    ),
    Form(
        "lookback",
        "donors.lookback",
        "/donors/{code}/lookback",
        (StepField("reason"), StepField("found_on", "date")),
    ),
    Form(
        "hand_off",
        "shipment.hand_off",
        "/shipments/{code}/hand-off",
        (StepField("custodian"),),
    ),
    Form(
        "logger_upload",
        "shipment.logger",
        "/shipments/{code}/logger",
        (StepField("logger"), StepField("csv", "file")),
    ),
    Form(
        "deliver",
        "shipment.deliver",
        "/shipments/{code}/delivery",
    ),
    Form(
        "inspect_receipt",
        "shipment.inspect_receipt",
        "/shipments/{code}/receipt-inspection",
        (
            StepField("passed", "list", required=False),
            StepField("failed", "reasons", required=False),
        ),
    ),
    Form(
        "qp_release",
        "shipment.qp_release",
        "/shipments/{code}/release",
    ),
    Form(
        "reconcile_shipment",
        "pharmacy.reconcile",
        "/shipments/{code}/reconciliation",
        (StepField("in_stock", "number"), StepField("note", required=False, default="")),
    ),
    Form(
        "return_vials",
        "shipment.return",
        "/shipments/{code}/returns",
        (StepField("vials", "list"), StepField("reason"), StepField("courier")),
    ),
    Form(
        "return_receipt",
        "shipment.return_receipt",
        "/returns/{code}/receipt",
        (StepField("received", "list", required=False), StepField("place")),
    ),
    Form(
        "store",
        "pharmacy.store",
        "/shipments/{code}/storage",
        (
            StepField("vials", "list"),
            StepField("place"),
            StepField("unit_c", "number", default=-80),
            StepField("storage_unit", required=False),
        ),
    ),
    Form(
        "unit_put",
        "storage.put",
        "/storage-units/{code}/contents",
        (StepField("vials", "list"), StepField("place")),
    ),
    Form(
        "unit_logger",
        "storage.logger",
        "/storage-units/{code}/logger",
        (StepField("logger"), StepField("csv", "file")),
    ),
    Form(
        "unit_assess_excursion",
        "storage.assess_excursion",
        "/storage-units/{code}/excursion-assessment",
        (
            StepField("acceptable", "checkbox", default=False),
            StepField("reason"),
            StepField("report_ref"),
        ),
    ),
    Form(
        "follow_up_visit",
        "bedside.follow_up",
        "/patients/{code}/visits",
        (
            StepField("administration", "number", default=1),
            StepField("label", default="day 1"),
            StepField("done_on", "date"),
        ),
    ),
    Form(
        "adverse_event",
        "safety.adverse_event",
        "/patients/{code}/adverse-events",
        (
            StepField("administration", "number", default=1),
            StepField("grade", "select", ("1", "2", "3", "4", "5"), "1"),
            StepField("serious", "checkbox", default=False, required=False),
            StepField("description"),
            StepField("onset", "date"),
        ),
    ),
    Form(
        "halt_study",
        "safety.halt",
        "/studies/{code}/halt",
        (
            StepField("action", "select", ("pause", "resume", "terminate"), "pause"),
            StepField("by", "select", ("sponsor", "investigator", "ethics_committee"), "sponsor"),
            StepField("reason"),
            StepField("reference"),
        ),
    ),
    Form(
        "halt_report",
        "safety.halt_report",
        "/studies/{code}/halt-reports",
        (
            StepField("decision", "number", default=1),
            StepField("reference"),
            StepField("reported_on", "date"),
        ),
    ),
    Form(
        "exit_study",
        "clinical.exit",
        "/patients/{code}/exit",
        (StepField("reason"),),
    ),
    Form(
        "ae_follow_up",
        "safety.ae_follow_up",
        "/patients/{code}/adverse-event-follow-ups",
        (
            StepField("event", "number", default=1),
            StepField("note"),
            StepField("resolved", "checkbox", default=False, required=False),
            StepField("outcome", required=False, default=""),
        ),
    ),
    Form(
        "unblind",
        "safety.emergency_unblinding",
        "/patients/{code}/unblinding",
        (StepField("vial"), StepField("reason")),
    ),
    Form(
        "dispense",
        "pharmacy.dispense",
        "/patients/{code}/dispense",
        (StepField("place", default="ward"), StepField("vial", required=False)),
    ),
    Form(
        "withdraw_consent",
        "clinical.withdraw",
        "/patients/{code}/consent/withdraw",
        (StepField("reason"),),
    ),
    Form(
        "ethics_decision",
        "safety.ethics_decision",
        "/studies/{code}/ethics-decision",
        (
            StepField("decision", "select", ("resume", "terminate"), "resume"),
            StepField("reference"),
            StepField("reason"),
        ),
    ),
    Form(
        "enrol",
        "clinical.enrol",
        "/patients",
        (
            StepField("study", "item"),
            StepField("site"),
            StepField("cohort"),
            StepField("consent.form_version"),
            StepField("consent.signed_on", "date"),
        ),
    ),
)


def next_steps(item_type: str, status: str, role: str | None) -> list[Form]:
    """Steps for an item in this state; only those `role` may record, when a role is known."""
    return [
        form
        for form in FORMS
        if form.applies(item_type, status) and (role is None or role in form.roles)
    ]
