"""R-MAT-1..5 on materials: definitions, lots and their QC, and the use check at each stage with
the downstream tests a use makes mandatory."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger.domain.base import stamped
from ledger.domain.material import (
    AnimalSpecies,
    AntibioticClass,
    EpidemicAreas,
    Grade,
    Material,
    MaterialKind,
)
from ledger.domain.material_lot import MaterialLot, Status
from ledger.domain.material_use import (
    ANTIBIOTIC_NOT_DETECTED,
    ANTIBIOTIC_RESIDUE,
    CELL_CULTURE,
    Stage,
    UseOf,
    check_use,
)
from ledger.errors import RuleViolation
from tests.domain1 import STAMP, TODAY, antibiotic_lot, material, released_lot, serum_lot, settled

LATER = TODAY + timedelta(days=100)


def rules_of(refusal: pytest.ExceptionInfo[RuleViolation]) -> list[str]:
    return [v.rule for v in refusal.value.violations]


def use_rules(
    lot: MaterialLot,
    stage: Stage,
    use: UseOf | None = None,
    *,
    today: date = TODAY,
    epidemic: bool = False,
) -> list[str]:
    check = check_use(lot, use or UseOf(lot.code), stage, today, epidemic)
    return [p.rule for p in check.problems]


def received_lot(expiry: date = LATER) -> MaterialLot:
    with stamped(STAMP):
        return settled(
            MaterialLot.receive("MAT-F01-26-000001-0", material(), "S", "L1", expiry, "CoA", TODAY)
        )


# --- R-MAT-1 lots, QC status, expiry ----------------------------------------------------------


def test_r_mat_1_non_pharmaceutical_grade_needs_a_risk_assessment() -> None:
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        Material.define("MEM", "medium", MaterialKind.MEDIUM, Grade.NON_PHARMACEUTICAL)
    assert rules_of(refusal) == ["R-MAT-1"]


def test_r_mat_1_lot_needs_supplier_lot_number_coa_and_a_future_expiry() -> None:
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        MaterialLot.receive("MAT-1", material(), " ", "", TODAY - timedelta(1), "", TODAY)
    assert rules_of(refusal) == ["R-MAT-1"] * 4


def test_r_mat_1_received_lot_is_quarantined_and_cannot_be_used() -> None:
    lot = received_lot()
    assert lot.status is Status.QUARANTINE
    assert use_rules(lot, Stage.EXPANSION_CULTURE) == ["R-MAT-1"]


def test_r_mat_1_released_unexpired_lot_is_usable() -> None:
    lot = released_lot()
    assert lot.status is Status.RELEASED
    check = check_use(lot, UseOf(lot.code), Stage.EXPANSION_CULTURE, TODAY, False)
    assert check.problems == () and check.tests == ()
    assert check.use["stage"] == "expansion_culture" and check.use["lot"] == lot.code


def test_r_mat_1_expired_lot_is_refused_at_use_and_at_release() -> None:
    lot = released_lot()
    assert use_rules(lot, Stage.ISOLATION, today=LATER + timedelta(1)) == ["R-MAT-1"]
    quarantined = received_lot()
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        quarantined.release("QC-1", LATER + timedelta(1))
    assert rules_of(refusal) == ["R-MAT-1"]
    assert quarantined.collect_events() == []


def test_r_mat_1_rejected_and_recalled_lots_are_refused() -> None:
    rejected, recalled = received_lot(), released_lot()
    with stamped(STAMP):
        rejected.reject("CoA out of specification")
        recalled.recall("supplier notice 2026-04")
    assert use_rules(rejected, Stage.ISOLATION) == ["R-MAT-1"]
    assert use_rules(recalled, Stage.ISOLATION) == ["R-MAT-1"]


def test_r_mat_1_disposition_is_given_once_with_a_reason() -> None:
    lot = released_lot()
    for command, args in (("release", ("QC-2", TODAY)), ("reject", ("",)), ("recall", ("",))):
        with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
            getattr(lot, command)(*args)
        assert set(rules_of(refusal)) == {"R-MAT-1"}
    assert lot.collect_events() == []


# --- R-MAT-2 antibiotics in culture -----------------------------------------------------------


def test_r_mat_2_antibiotic_definition_needs_its_class() -> None:
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        Material.define("ABX", "antibiotic", MaterialKind.ANTIBIOTIC, Grade.PHARMACEUTICAL)
    assert rules_of(refusal) == ["R-MAT-2"]


@pytest.mark.parametrize("stage", sorted(CELL_CULTURE))
def test_r_mat_2_beta_lactam_is_refused_in_culture(stage: Stage) -> None:
    # Given penicillin-streptomycin, When it is used in any cell-culture stage, Then refused
    pen_strep = antibiotic_lot(1, AntibioticClass.BETA_LACTAM, AntibioticClass.AMINOGLYCOSIDE)
    assert use_rules(pen_strep, stage, UseOf(pen_strep.code, justification="habit")) == ["R-MAT-2"]


def test_r_mat_2_other_antibiotic_needs_a_justification() -> None:
    gentamicin = antibiotic_lot(2, AntibioticClass.AMINOGLYCOSIDE)
    assert use_rules(gentamicin, Stage.EXPANSION_CULTURE) == ["R-MAT-2"]


def test_r_mat_2_justified_antibiotic_makes_the_residue_test_mandatory() -> None:
    gentamicin = antibiotic_lot(2, AntibioticClass.AMINOGLYCOSIDE)
    use = UseOf(gentamicin.code, justification="primary tissue contamination risk")
    check = check_use(gentamicin, use, Stage.ISOLATION, TODAY, False)
    assert check.problems == ()
    assert check.tests == (ANTIBIOTIC_RESIDUE,)
    assert check.use["justification"] == "primary tissue contamination risk"


# --- R-MAT-3 animal-derived materials ---------------------------------------------------------


def test_r_mat_3_animal_material_needs_its_origin_country() -> None:
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        Material.define(
            "FBS",
            "serum",
            MaterialKind.SERUM,
            Grade.PHARMACEUTICAL,
            animal_species=AnimalSpecies.BOVINE,
        )
    assert rules_of(refusal) == ["R-MAT-3"]


def test_r_mat_3_animal_material_must_be_gmp_and_pathogen_screened() -> None:
    lot = serum_lot(gmp=False, pathogen_screening_ref="")
    assert use_rules(lot, Stage.EXPANSION_CULTURE) == ["R-MAT-3", "R-MAT-3"]


def test_r_mat_3_animal_serum_from_an_epidemic_area_is_refused() -> None:
    assert use_rules(serum_lot(), Stage.EXPANSION_CULTURE, epidemic=True) == ["R-MAT-3"]


def test_r_mat_3_use_makes_the_matching_virus_test_mandatory() -> None:
    # Given GMP, screened bovine serum and porcine trypsin
    trypsin = released_lot(
        7,
        "TRYP",
        kind=MaterialKind.ENZYME,
        animal_species=AnimalSpecies.PORCINE,
        origin_country="US",
        gmp=True,
        pathogen_screening_ref="PS-2",
    )
    # When used, Then bovine viruses and porcine parvovirus become mandatory downstream
    fbs = check_use(serum_lot(), UseOf("x"), Stage.EXPANSION_CULTURE, TODAY, False)
    tryp = check_use(trypsin, UseOf("y"), Stage.ISOLATION, TODAY, epidemic_area=True)
    assert (fbs.problems, fbs.tests) == ((), ("bovine_viruses",))
    # An epidemic-area listing refuses serum only; trypsin is refused by other rules if at all
    assert (tryp.problems, tryp.tests) == ((), ("porcine_parvovirus",))


def test_r_mat_3_epidemic_area_register_declares_and_lifts() -> None:
    with stamped(STAMP):
        register = EpidemicAreas()
        register.declare(AnimalSpecies.BOVINE, "gb", "GACC announcement")
        assert register.covers("bovine", "GB") and not register.covers("porcine", "GB")
        register.lift(AnimalSpecies.BOVINE, "GB", "listing withdrawn")
    assert not register.covers("bovine", "GB")
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        register.lift(AnimalSpecies.BOVINE, "GB", "")
    assert rules_of(refusal) == ["R-MAT-3", "R-MAT-3"]


# --- R-MAT-4 serum-free supernatant collection ------------------------------------------------


def test_r_mat_4_serum_is_refused_in_supernatant_collection() -> None:
    assert use_rules(serum_lot(), Stage.SUPERNATANT_COLLECTION) == ["R-MAT-4"]


def test_r_mat_4_serum_substitute_is_refused_in_supernatant_collection() -> None:
    substitute = released_lot(8, "HPL", kind=MaterialKind.SERUM_SUBSTITUTE)
    assert use_rules(substitute, Stage.SUPERNATANT_COLLECTION) == ["R-MAT-4"]
    assert use_rules(substitute, Stage.EXPANSION_CULTURE) == []


def test_r_mat_4_serum_free_medium_is_accepted_in_supernatant_collection() -> None:
    assert use_rules(released_lot(), Stage.SUPERNATANT_COLLECTION) == []


# --- R-MAT-5 antibiotics in transport medium --------------------------------------------------


def test_r_mat_5_antibiotic_in_transport_medium_needs_validated_removal() -> None:
    transport = antibiotic_lot(3, AntibioticClass.AMINOGLYCOSIDE)
    assert use_rules(transport, Stage.TRANSPORT) == ["R-MAT-5"]


def test_r_mat_5_validated_removal_makes_no_residue_result_mandatory() -> None:
    transport = antibiotic_lot(3, AntibioticClass.BETA_LACTAM)
    use = UseOf(transport.code, removal_validation="VAL-WASH-3x")
    check = check_use(transport, use, Stage.TRANSPORT, TODAY, False)
    # A beta-lactam in transport medium is not cell culture: allowed with validated removal
    assert check.problems == ()
    assert check.tests == (ANTIBIOTIC_NOT_DETECTED,)
