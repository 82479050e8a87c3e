"""Typical records for `celltrace demo` and the tests: trained staff (R-PPL), qualified materials
(R-MAT), a screened donor (R-DON), a collection, isolated cells and a tested, released bank (R-CB).

Each helper goes through `CellTraceLedger`'s commands, so every rule applies as in real use.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ledger.application import SYSTEM, Actor, CellTraceLedger
from ledger.commands.people import ADMINISTER
from ledger.commands.step_types import step_roles
from ledger.domain.bank_vial import BankPlan, box_positions
from ledger.domain.cell_source import IdentityFinding
from ledger.domain.cellbank import THIRD_PARTY_TESTS, BankTest, BankTestResult
from ledger.domain.collection import Arrival
from ledger.domain.material_use import UseOf
from ledger.domain.screening import (
    BASE_PANEL,
    LEUKOCYTE_PANEL,
    Hemodilution,
    MarkerResult,
    Outcome,
    ScreeningRecord,
)
from ledger.errors import NotFound, RuleViolation
from ledger.stores.credentials import Credentials
from ledger.stores.personal_data import PersonalData

Echo = Callable[[str], None]
Staff = dict[str, Actor]

ROLES = (
    "operator",
    "qc_analyst",
    "qa",
    "qp",
    "pharmacist",
    "nurse",
    "investigator",
    "auditor",
    "unblinded",
)


#: The demo's people, by role: their printed names (kept encrypted, shown with their steps).
NAMES = {
    "administrator": "Zhao Min",
    "operator": "Li Na",
    "qc_analyst": "Wang Fang",
    "qa": "Chen Jing",
    "qp": "Liu Yang",
    "pharmacist": "Zhang Wei",
    "nurse": "Sun Li",
    "investigator": "Huang Lei",
    "auditor": "Zhou Hua",
    "unblinded": "Wu Ting",
}


def _signing(store: Credentials, code: str, role: str) -> Actor:
    """A person of the scripted staff, able to sign: the script sets a random password and
    signs with it, so its signed decisions pass the same check as everyone's (R-LED-5); the
    demo writes the passwords to an owner-only file so that its people can sign in at the
    stations. A random secret of 96 bits needs no costly hashing, so it is hashed with the
    cheapest parameters."""
    password = secrets.token_urlsafe(12)
    store.set_password(code, password)
    return Actor(code, role).signed(password)


def register_staff(app: CellTraceLedger, echo: Echo) -> Staff:
    """Register the facility's people, their roles, training and QP authorisation."""
    today = app.today()
    valid = today + timedelta(days=365)
    admin_code, _ = app.register_person(SYSTEM, ["administrator"], NAMES["administrator"])
    app.record_training(SYSTEM, admin_code, ADMINISTER, today, valid, "SOP-ADM-001 v3")
    store = Credentials(app.credentials.engine, "cheapest")
    store.create_tables()
    admin = _signing(store, admin_code, "administrator")
    echo(f"Registered administrator {admin_code}")
    staff: Staff = {"administrator": admin}
    for role in ROLES:
        code, _ = app.register_person(admin, [role], NAMES[role])
        staff[role] = _signing(store, code, role)
        echo(f"Registered {role:<12} {code}")
    steps = {k: v for k, v in step_roles().items() if k != ADMINISTER}
    for step, roles in steps.items():
        for role in roles:
            person = staff[role.value].person_id
            app.record_training(admin, person, step, today, valid, f"SOP-{step} v1")
    echo(f"Recorded training for {len(steps)} step types")
    app.authorise_qp(admin, staff["qp"].person_id, "SIT-DEMO")
    echo(f"Authorised {staff['qp'].person_id} as Qualified Person for site SIT-DEMO")
    # A step by someone without the role is refused and nothing is written (R-PPL-2).
    try:
        app.register_person(staff["operator"], ["operator"])
    except RuleViolation as refusal:
        echo(f"Refused as expected: {refusal.detail}")
    return staff


def expect_refusal(echo: Echo, step: Callable[[], object]) -> None:
    """Run a step the demo shows being refused, and print its first rule and message."""
    try:
        step()
    except RuleViolation as refusal:
        first = refusal.violations[0]
        echo(f"Refused as expected: {first.rule}: {first.message}")
    else:
        raise AssertionError("the demo expected this step to be refused")


# --- values -----------------------------------------------------------------------------------

NO_HEMODILUTION = Hemodilution(
    blood_and_colloids_48h_ml=0, crystalloids_1h_ml=0, plasma_volume_ml=2800
)
MSC_IDENTITY = [
    IdentityFinding(marker=m, expected=e, observed=e)
    for m, e in [
        *(("CD73", "positive"), ("CD90", "positive"), ("CD105", "positive")),
        *(("CD34", "negative"), ("CD45", "negative"), ("HLA-DR", "negative")),
    ]
]
ISOLATION_PARAMETERS = {"collagenase_mg_per_ml": "1.0", "digestion_min": "60", "temp_c": "37"}


def screening_results(
    *, leukocyte_rich: bool = False, reactive: Iterable[str] = ()
) -> list[MarkerResult]:
    """A complete panel, non-reactive except the markers named in `reactive`."""
    bad = set(reactive)
    panel = BASE_PANEL + (LEUKOCYTE_PANEL if leukocyte_rich else ())
    return [
        MarkerResult(
            marker=m.value,
            result=(Outcome.REACTIVE if m.value in bad else Outcome.NON_REACTIVE).value,
            kit=f"{m.value} ELISA kit",
            approval_number=f"国械注准2023340{n:04d}",
        )
        for n, m in enumerate(panel)
    ]


def screening_record(
    on: date, *, leukocyte_rich: bool = False, reactive: Iterable[str] = ()
) -> ScreeningRecord:
    """A complete screening of a healthy 29-year-old, reactive only for `reactive`."""
    return ScreeningRecord(
        sample_reference=f"SCR-{on.isoformat()}",
        screened_on=on,
        age=29,
        sex="female",
        medical_history="none relevant",
        family_history="none",
        epidemic_area_travel="none",
        leukocyte_rich=leukocyte_rich,
        results=screening_results(leukocyte_rich=leukocyte_rich, reactive=reactive),
        hemodilution=NO_HEMODILUTION,
    )


def arrival(at: datetime) -> Arrival:
    return Arrival(
        arrived_at=at, temperature_c=4.5, container_intact=True, sample_immersed=True, note=""
    )


def bank_plan(today: date, box: str, vials: int, passage: int, tank: str = "LN2-T1") -> BankPlan:
    """A bank of `vials` in one box of `tank` (a registered storage unit's code, R-SHP-5, or
    the tank's name)."""
    return BankPlan(
        passage=passage,
        max_passage=10,
        stability_study_ref="STAB-UC-MSC-2025-01",
        viability_spec_pct=80.0,
        locations=tuple(box_positions(tank, "R3", box, vials)),
        frozen_on=today,
    )


def passing_bank_tests(today: date) -> list[BankTestResult]:
    """Full testing (R-CB-5): third-party sterility, mycoplasma, endotoxin, viruses; identity."""
    return [
        BankTestResult(
            test=t.value,
            passed=True,
            laboratory="NIFDC-accredited lab" if t in THIRD_PARTY_TESTS else "in-house QC",
            third_party=t in THIRD_PARTY_TESTS,
            report_ref=f"RPT-{t.value}",
            tested_on=today,
        )
        for t in BankTest
    ]


# --- steps through the ledger -----------------------------------------------------------------

#: Demo catalogue: reference -> (name, kind, grade, further facts).
MATERIALS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "TM-GENTA": (
        "Transport medium with gentamicin",
        "medium",
        "non_pharmaceutical",
        {"risk_assessment_ref": "RA-TM-01", "antibiotic_classes": ["aminoglycoside"]},
    ),
    "COLL-I": (
        "Collagenase type I",
        "enzyme",
        "non_pharmaceutical",
        {"risk_assessment_ref": "RA-COLL-01"},
    ),
    "PEN-STREP": (
        "Penicillin-streptomycin 100x",
        "antibiotic",
        "pharmaceutical",
        {"antibiotic_classes": ["beta_lactam", "aminoglycoside"]},
    ),
    "FBS-NZ": (
        "Fetal bovine serum",
        "serum",
        "non_pharmaceutical",
        {
            "risk_assessment_ref": "RA-FBS-01",
            "animal_species": "bovine",
            "origin_country": "NZ",
            "gmp": True,
            "pathogen_screening_ref": "9 CFR 113.53 screening, CoA",
        },
    ),
    "FBS-GB": (
        "Fetal bovine serum (UK origin)",
        "serum",
        "non_pharmaceutical",
        {
            "risk_assessment_ref": "RA-FBS-02",
            "animal_species": "bovine",
            "origin_country": "GB",
            "gmp": True,
            "pathogen_screening_ref": "screening CoA",
        },
    ),
    "MEM-ALPHA": (
        "alpha-MEM basal medium",
        "medium",
        "non_pharmaceutical",
        {"risk_assessment_ref": "RA-MEM-01"},
    ),
    "SFM-EV": (
        "Chemically defined serum-free medium",
        "medium",
        "non_pharmaceutical",
        {"risk_assessment_ref": "RA-SFM-01"},
    ),
    "TRYPLE": (
        "Recombinant trypsin-like enzyme",
        "enzyme",
        "non_pharmaceutical",
        {"risk_assessment_ref": "RA-TRY-01"},
    ),
    "PBS-EV": ("Phosphate-buffered saline for injection", "buffer", "pharmaceutical", {}),
}


def released_lot(app: CellTraceLedger, staff: Staff, reference: str) -> str:
    """A received, QC-released lot of a demo material (defined on first use)."""
    try:
        app.get_material(reference)
    except NotFound:
        name, kind, grade, facts = MATERIALS[reference]
        app.define_material(staff["qa"], reference, name, kind, grade, **facts)
    expiry = app.today() + timedelta(days=300)
    code, _ = app.receive_material_lot(
        staff["operator"], reference, "Supplier Co.", f"{reference}-L1", expiry, "CoA"
    )
    app.release_material_lot(staff["qc_analyst"], code, f"QC-{reference}-L1")
    return code


def screened_donor(
    app: CellTraceLedger,
    staff: Staff,
    *,
    autologous: bool = False,
    reactive: Sequence[str] = (),
    leukocyte_rich: bool = False,
    identity: PersonalData | None = None,
) -> str:
    """A registered donor with consent to banking and long-term storage, and a screening."""
    investigator, today = staff["investigator"], app.today()
    code, _ = app.register_donor(investigator, autologous=autologous, identity=identity)
    app.record_consent(
        investigator,
        code,
        ["banking", "long_term_storage"],
        "PRJ-EV-01",
        "Hospital A",
        "ICF v2",
        today,
    )
    screening = screening_record(today, leukocyte_rich=leukocyte_rich, reactive=reactive)
    app.record_screening(investigator, code, screening)
    return code


def eligible_donor(app: CellTraceLedger, staff: Staff, **kwargs: Any) -> str:
    code = screened_donor(app, staff, **kwargs)
    app.determine_eligibility(staff["qa"], code, True, "all markers non-reactive")
    return code


def collect(app: CellTraceLedger, staff: Staff, donor: str, transport: Sequence[UseOf]) -> str:
    """An umbilical cord of `donor`, collected 5 h ago, arrived 1 h ago."""
    now = app.clock()
    code, _ = app.record_collection(
        staff["operator"],
        donor,
        "umbilical_cord",
        now - timedelta(hours=5),
        "SOP-COL-003 v4",
        transport,
        arrival(now - timedelta(hours=1)),
    )
    return code


def isolate(
    app: CellTraceLedger, staff: Staff, collection: str, materials: Sequence[UseOf], n: int = 2
) -> list[str]:
    codes, _ = app.isolate_cells(
        staff["operator"],
        collection,
        method="enzymatic",
        parameters=ISOLATION_PARAMETERS,
        cell_type="umbilical cord MSC",
        portions=n,
        materials=materials,
    )
    return codes


def released_bank(
    app: CellTraceLedger,
    staff: Staff,
    tier: str,
    source: str,
    plan: BankPlan,
    culture: Sequence[UseOf] = (),
) -> tuple[str, list[str]]:
    """Freeze a bank from `source`, record full passing tests and QA's release."""
    bank, vials, _ = app.establish_cell_bank(staff["operator"], tier, source, plan, culture)
    for result in passing_bank_tests(app.today()):
        app.record_bank_test(staff["qc_analyst"], bank, result)
    app.release_cell_bank(staff["qa"], bank)
    return bank, vials
