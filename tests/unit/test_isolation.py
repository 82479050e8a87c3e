"""R-CB-2 and R-CB-7: isolation method and parameters, one code per portion and clone, identity
confirmation before banking, engineered vectors and the lawful origin of unstable lines."""

from __future__ import annotations

import pytest

from ledger.demo.records import MSC_IDENTITY
from ledger.domain.base import stamped
from ledger.domain.cell_source import IdentityFinding, Vector
from ledger.domain.collection import Arrival, Collection
from ledger.domain.donor import Donor
from ledger.domain.isolation import CellLine, CellLineStock, CellPortion, IsolationMethod
from ledger.domain.material import AntibioticClass
from ledger.domain.material_use import ANTIBIOTIC_RESIDUE, Stage, UseOf, check_use
from ledger.errors import RuleViolation
from tests.domain1 import (
    NOW,
    PARAMS,
    STAMP,
    TODAY,
    antibiotic_lot,
    eligible_donor,
    isolated_portion,
    received_collection,
    settled,
)

CODES = ["CEL-F01-26-000001-4", "CEL-F01-26-000002-2"]
LENTI = Vector(type="lentiviral", name="pLV-CD63-GFP", lot="VEC-2026-01")


def isolate(collection: Collection, donor: Donor, **overrides: object) -> list[CellPortion]:
    args: dict[str, object] = {
        "codes": CODES,
        "collection": collection,
        "donors": [donor.standing()],
        "method": IsolationMethod.ENZYMATIC,
        "parameters": PARAMS,
        "cell_type": "umbilical cord MSC",
        "pluripotent": False,
        "materials": [],
        **overrides,
    }
    with stamped(STAMP):
        return CellPortion.isolate(**args)  # type: ignore[arg-type]


def refused_isolation(collection: Collection, donor: Donor, **overrides: object) -> list[str]:
    with pytest.raises(RuleViolation) as refusal:
        isolate(collection, donor, **overrides)
    assert collection.collect_events() == []
    return [v.rule for v in refusal.value.violations]


def test_r_cb_2_each_portion_gets_its_own_code_with_method_and_parameters() -> None:
    # Given a received collection
    donor = eligible_donor()
    collection = received_collection(donor)
    # When it is isolated enzymatically into two portions
    portions = isolate(collection, donor)
    # Then each portion has its own code, the donor, the method and the parameters
    assert [p.code for p in portions] == CODES
    isolated = portions[0].collect_events()[0]
    assert isolated.method == "enzymatic" and isolated.parameters == PARAMS  # type: ignore[attr-defined]
    assert portions[1].donor_codes == [donor.code] and portions[1].sources == [collection.code]
    assert collection.children == tuple(CODES)


def test_r_cb_2_isolation_without_parameters_cell_type_or_portions_is_refused() -> None:
    donor = eligible_donor()
    collection = received_collection(donor)
    rules = refused_isolation(
        collection, donor, parameters={"digestion_min": " "}, cell_type="", codes=[]
    )
    assert rules == ["R-CB-2", "R-CB-2"]


def test_r_cb_1_collection_that_arrived_dry_cannot_be_isolated() -> None:
    donor = eligible_donor()
    dry = Arrival(
        arrived_at=NOW, temperature_c=4.0, container_intact=True, sample_immersed=False, note=""
    )
    collection = received_collection(donor, arrival=dry)
    assert refused_isolation(collection, donor) == ["R-CB-1"]


def test_r_don_7_held_collection_cannot_be_isolated() -> None:
    donor = eligible_donor()
    collection = received_collection(donor)
    with stamped(STAMP):
        collection.put_on_hold("R-DON-7", "donor look-back", "DON-X")
    settled(collection)
    assert refused_isolation(collection, donor) == ["R-DON-7"]


def test_r_mat_2_beta_lactam_is_refused_at_isolation() -> None:
    donor = eligible_donor()
    collection = received_collection(donor)
    pen = antibiotic_lot(5, AntibioticClass.BETA_LACTAM)
    check = check_use(pen, UseOf(pen.code, "habit"), Stage.ISOLATION, TODAY, False)
    assert refused_isolation(collection, donor, materials=[check]) == ["R-MAT-2"]


def test_r_mat_2_justified_antibiotic_at_isolation_is_recorded_on_each_portion() -> None:
    donor = eligible_donor()
    genta = antibiotic_lot(6, AntibioticClass.AMINOGLYCOSIDE)
    check = check_use(genta, UseOf(genta.code, "tissue bioburden"), Stage.ISOLATION, TODAY, False)
    portions = isolate(received_collection(donor), donor, materials=[check])
    assert all(p.mandatory_tests == [ANTIBIOTIC_RESIDUE] for p in portions)


def test_r_cb_2_identity_must_conform_before_banking() -> None:
    # Given an isolated portion without identity confirmation
    donor = eligible_donor()
    portion = isolated_portion(donor, confirmed=False)
    assert [v.rule for v in portion.banking_refusals()] == ["R-CB-2"]
    # When a non-conforming identity is recorded, Then it still may not be banked
    wrong = [IdentityFinding(marker="CD45", expected="negative", observed="positive")]
    with stamped(STAMP):
        portion.confirm_identity("flow cytometry", wrong, "QC-ID-0", [donor.standing()])
    assert "did not conform" in portion.banking_refusals()[0].message
    # And a conforming confirmation allows banking
    with stamped(STAMP):
        portion.confirm_identity("flow cytometry", MSC_IDENTITY, "QC-ID-1", [donor.standing()])
    assert portion.banking_refusals() == []


def test_r_cb_2_identity_without_findings_or_report_is_refused() -> None:
    donor = eligible_donor()
    portion = isolated_portion(donor, confirmed=False)
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        portion.confirm_identity(" ", [], "", [donor.standing()])
    assert [v.rule for v in refusal.value.violations] == ["R-CB-2", "R-CB-2"]
    assert portion.collect_events() == []


def test_r_cb_2_each_clone_gets_its_own_code() -> None:
    donor = eligible_donor()
    portion = isolated_portion(donor)
    with stamped(STAMP):
        clones = portion.pick_clones(
            ["CLN-F01-26-000001-W", "CLN-F01-26-000002-U"], "limiting dilution", [donor.standing()]
        )
    assert [c.sources for c in clones] == [[portion.code]] * 2
    assert portion.children == ("CLN-F01-26-000001-W", "CLN-F01-26-000002-U")
    with pytest.raises(RuleViolation, match="R-CB-2"), stamped(STAMP):
        portion.pick_clones(["CLN-F01-26-000003-S"], "", [donor.standing()])


def test_r_cb_7_engineering_records_the_vector_and_needs_identity_again() -> None:
    donor = eligible_donor()
    portion = isolated_portion(donor)
    with stamped(STAMP):
        portion.record_engineering(LENTI, False, [donor.standing()])
    assert portion.vector == LENTI
    assert "since its engineering" in portion.banking_refusals()[0].message


def test_r_cb_7_engineering_without_vector_identity_is_refused() -> None:
    donor = eligible_donor()
    portion = isolated_portion(donor)
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        portion.record_engineering(Vector(type="magic", name="", lot=""), True, [donor.standing()])
    assert [v.rule for v in refusal.value.violations] == ["R-CB-7", "R-CB-7"]
    assert portion.collect_events() == []


@pytest.mark.parametrize("line", ["HEK293", "HEK-293T", "HeLa"])
def test_r_cb_7_unstable_line_needs_lawful_origin_whatever_is_declared(line: str) -> None:
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        CellLineStock.receive("CEL-1", CellLine(line, "ATCC", "70012345"))
    assert [v.rule for v in refusal.value.violations] == ["R-CB-7"]


def test_r_cb_7_unstable_line_with_lawful_origin_is_received() -> None:
    with stamped(STAMP):
        line = CellLine("HEK293", "ATCC", "70012345", lawful_origin_ref="MTA-ATCC-2026-17")
        stock = CellLineStock.receive("CEL-1", line)
    (received,) = stock.collect_events()
    assert received.genetically_unstable and received.lawful_origin_ref == "MTA-ATCC-2026-17"  # type: ignore[attr-defined]
    assert stock.donor_codes == []
