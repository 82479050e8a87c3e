"""R-MAT-1..5 through the ledger on a real SQLite file: definitions, QC-signed disposition, the
epidemic-area register, and each refused use writing nothing."""

from __future__ import annotations

from ledger.commands.materials import check_material_uses
from ledger.demo.records import (
    MSC_IDENTITY,
    bank_plan,
    collect,
    eligible_donor,
    isolate,
    released_lot,
)
from ledger.domain.base import Meaning
from ledger.domain.material_use import ANTIBIOTIC_NOT_DETECTED, Stage, UseOf
from tests.domain1 import (
    TODAY,
    Staffed,
    app_collection,
    history,
    refused_step,
)


def test_r_mat_1_material_is_defined_once_with_a_known_kind(staffed: Staffed) -> None:
    app, staff = staffed
    released_lot(app, staff, "MEM-ALPHA")
    qa = staff["qa"]
    assert refused_step(
        app, lambda: app.define_material(qa, "mem-alpha", "again", "medium", "pharmaceutical")
    ) == ["R-MAT-1"]
    assert refused_step(
        app, lambda: app.define_material(qa, "X-1", "potion", "elixir", "pharmaceutical")
    ) == ["R-MAT-1"]


def test_r_mat_1_lot_release_is_signed_with_the_meaning_released(staffed: Staffed) -> None:
    app, staff = staffed
    lot = released_lot(app, staff, "MEM-ALPHA")
    released = history(app, lot)[-1]
    assert type(released).__name__ == "Released"
    assert released.stamp.meaning is Meaning.RELEASED  # type: ignore[attr-defined]
    assert app.get_material_lot(lot).status.value == "released"


def test_r_mat_1_quarantined_lot_is_refused_at_collection(staffed: Staffed) -> None:
    # Given a transport medium lot received but not yet released by QC
    app, staff = staffed
    released_lot(app, staff, "MEM-ALPHA")
    lot, _ = app.receive_material_lot(
        staff["operator"], "MEM-ALPHA", "S", "L2", TODAY.replace(year=TODAY.year + 1), "CoA"
    )
    donor = eligible_donor(app, staff)
    # When a sample arrives in it, Then the collection is refused and nothing written
    assert refused_step(app, lambda: collect(app, staff, donor, [UseOf(lot)])) == ["R-MAT-1"]


def test_r_mat_2_beta_lactam_is_refused_at_isolation(staffed: Staffed) -> None:
    app, staff = staffed
    collection = app_collection(app, staff, eligible_donor(app, staff))
    pen = UseOf(released_lot(app, staff, "PEN-STREP"), justification="habit")
    assert refused_step(app, lambda: isolate(app, staff, collection, [pen])) == ["R-MAT-2"]


def test_r_mat_3_an_area_listed_after_receipt_refuses_its_serum_at_use(staffed: Staffed) -> None:
    # Given NZ bovine serum received and released, and isolated cells to bank
    app, staff = staffed
    fbs = UseOf(released_lot(app, staff, "FBS-NZ"))
    collection = app_collection(app, staff, eligible_donor(app, staff))
    (cells,) = isolate(app, staff, collection, [], n=1)
    app.confirm_identity(staff["qc_analyst"], cells, "flow", MSC_IDENTITY, "ID-1")
    plan = bank_plan(TODAY, "B1", 2, 2)
    # When NZ is listed as an epidemic area for bovine material
    app.declare_epidemic_area(staff["qa"], "bovine", "NZ", "announcement 2026-07")

    # Then expansion with that serum is refused with nothing written
    def establish() -> tuple[str, list[str], object]:
        return app.establish_cell_bank(staff["operator"], "seed", cells, plan, [fbs])

    assert refused_step(app, establish) == ["R-MAT-3"]
    # And once the listing is lifted the same use is accepted, with the bovine virus test due
    app.lift_epidemic_area(staff["qa"], "bovine", "NZ", "listing withdrawn")
    bank, _, _ = establish()
    assert app.get_cell_bank(bank).mandatory_tests == ["bovine_viruses"]


def test_r_mat_4_serum_is_refused_for_supernatant_collection(staffed: Staffed) -> None:
    app, staff = staffed
    fbs = UseOf(released_lot(app, staff, "FBS-NZ"))
    (check,) = check_material_uses(app, [fbs], Stage.SUPERNATANT_COLLECTION)
    assert [p.rule for p in check.problems] == ["R-MAT-4"]


def test_r_mat_5_antibiotic_transport_medium_needs_validated_removal(staffed: Staffed) -> None:
    app, staff = staffed
    donor = eligible_donor(app, staff)
    lot = released_lot(app, staff, "TM-GENTA")
    assert refused_step(app, lambda: collect(app, staff, donor, [UseOf(lot)])) == ["R-MAT-5"]
    collection = collect(app, staff, donor, [UseOf(lot, removal_validation="VAL-WASH-3x")])
    assert app.get_collection(collection).mandatory_tests == [ANTIBIOTIC_NOT_DETECTED]
