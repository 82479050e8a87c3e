"""The steps a scanned item can take next, for the operator station and `GET /items/{code}`.

Each step names the roles that may record it (the domain still checks role, training and every
GMP rule when it is posted), the item types and statuses it applies to, the API call that
records it, and the fields of its short form with sensible defaults.
"""

from __future__ import annotations

from ledger.api.clinical_steps import CLINICAL_STEPS
from ledger.api.step_model import Step, StepField

BANKS = ("SCB", "MCB", "WCB")
STEPS: tuple[Step, ...] = (
    Step(
        "thaw",
        ("BVL",),
        "banks.thaw",
        "/vials/{code}/thaw",
        (
            StepField("purpose", "select", ("production", "testing"), "production"),
            StepField("viability_pct", "number"),
        ),
        only_when=("in storage", "active"),
    ),
    Step(
        "start_culture",
        ("BVL",),
        "production.culture",
        "/cultures",
        (StepField("vial", "item"), StepField("medium.0.lot", "lot")),
        only_when=("thawed",),
    ),
    Step(
        "passage",
        ("CUL",),
        "production.passage",
        "/cultures/{code}/passages",
        (
            StepField("number", "number"),
            StepField("feed", default="50 % every 48 h"),
            StepField("dissociation", default="TrypLE, 5 min, 37 °C"),
            StepField("medium.0.lot", "lot"),
        ),
        only_when=("in culture",),
    ),
    Step(
        "collection_stage",
        ("CUL",),
        "production.collection_stage",
        "/cultures/{code}/collection-stage",
        (StepField("medium.0.lot", "lot"),),
        only_when=("in culture",),
    ),
    Step(
        "harvest",
        ("CUL",),
        "production.harvest",
        "/cultures/{code}/harvests",
        (StepField("volume_ml", "number"), StepField("medium.0.lot", "lot")),
        only_when=("collecting supernatant",),
    ),
    Step(
        "lot_result",
        ("LOT",),
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
        ),
        only_when=("awaiting QC",),
    ),
    Step(
        "certify",
        ("LOT",),
        "quality.certify",
        "/lots/{code}/certify",
        only_when=("awaiting QC",),
    ),
    Step(
        "fill",
        ("LOT",),
        "production.fill",
        "/lots/{code}/fill",
        (
            StepField("vials", "number", default=10),
            StepField("volume_ml", "number", default=1.0),
            StepField("container", default="2 mL cryovial"),
        ),
        only_when=("certified",),
    ),
    Step(
        "isolate",
        ("COL",),
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
    Step(
        "bank_test",
        BANKS,
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
        not_when=("on hold", "disposed", "released"),
    ),
    Step(
        "bank_release",
        BANKS,
        "banks.release",
        "/banks/{code}/release",
        not_when=("on hold", "disposed", "released"),
    ),
    Step(
        "material_release",
        ("MAT",),
        "materials.disposition",
        "/materials/lots/{code}/release",
        (StepField("qc_record_ref"),),
        only_when=("active", "quarantine", "received"),
    ),
    Step(
        "material_reject",
        ("MAT",),
        "materials.disposition",
        "/materials/lots/{code}/reject",
        (StepField("reason"),),
        only_when=("active", "quarantine", "received"),
        meaning="approved",
    ),
    Step(
        "material_recall",
        ("MAT",),
        "materials.recall",
        "/materials/lots/{code}/recall",
        (StepField("reason"),),
        only_when=("released",),
    ),
    Step(
        "eligibility",
        ("DON",),
        "donors.eligibility",
        "/donors/{code}/eligibility",
        (
            StepField("eligible", "checkbox", default=True, required=False),
            StepField("reason"),
        ),
    ),
    Step(
        "lookback",
        ("DON",),
        "donors.lookback",
        "/donors/{code}/lookback",
        (StepField("reason"), StepField("found_on", "date")),
        only_when=("eligible",),
    ),
)


def next_steps(item_type: str, status: str, role: str | None) -> list[Step]:
    """Steps for an item in this state; only those `role` may record, when a role is known."""
    return [
        s
        for s in (*STEPS, *CLINICAL_STEPS)
        if s.applies(item_type, status) and (role is None or role in s.roles)
    ]
