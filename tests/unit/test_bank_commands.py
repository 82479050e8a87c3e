"""R-CB-2..7 through the ledger on a real SQLite file: codes for every portion, clone, bank and
vial; refusals write nothing; QA signs the bank release."""

from __future__ import annotations

import pytest

from ledger.demo.records import MSC_IDENTITY, bank_plan, eligible_donor, isolate, released_bank
from ledger.domain.base import Meaning
from ledger.domain.isolation import CellLine
from ledger.identifiers import ItemType, parse_code
from tests.domain1 import (
    TODAY,
    Staffed,
    app_collection,
    history,
    refused_step,
)


@pytest.fixture
def cells(staffed: Staffed) -> str:
    """Identity-confirmed cells of an eligible donor."""
    app, staff = staffed
    collection = app_collection(app, staff, eligible_donor(app, staff))
    (portion,) = isolate(app, staff, collection, [], n=1)
    app.confirm_identity(staff["qc_analyst"], portion, "flow", MSC_IDENTITY, "ID-1")
    return portion


def test_r_cb_2_clones_get_their_own_codes(staffed: Staffed, cells: str) -> None:
    app, staff = staffed
    clones, _ = app.pick_clones(staff["operator"], cells, 3, "single-cell sorting")
    assert [parse_code(c).item_type for c in clones] == [ItemType.CLONE] * 3
    assert app.get_cell_source(clones[2]).sources == [cells]


def test_r_cb_4_bank_and_each_vial_get_codes_and_places(staffed: Staffed, cells: str) -> None:
    app, staff = staffed
    bank, vials, _ = app.establish_cell_bank(
        staff["operator"], "master", cells, bank_plan(TODAY, "B2", 4, 2)
    )
    assert parse_code(bank).item_type is ItemType.MASTER_CELL_BANK
    assert len(set(vials)) == 4
    last = app.get_bank_vial(vials[-1])
    assert last.location == {"tank": "LN2-T1", "rack": "R3", "box": "B2", "position": "4"}
    assert app.get_cell_source(cells).children == (bank,)


def test_r_cb_3_working_bank_from_cells_is_refused(staffed: Staffed, cells: str) -> None:
    app, staff = staffed
    plan = bank_plan(TODAY, "B3", 4, 2)
    assert refused_step(
        app, lambda: app.establish_cell_bank(staff["operator"], "working", cells, plan)
    ) == ["R-CB-3"]


def test_r_cb_5_unreleased_bank_vial_is_refused_for_production(
    staffed: Staffed, cells: str
) -> None:
    app, staff = staffed
    _, vials, _ = app.establish_cell_bank(
        staff["operator"], "master", cells, bank_plan(TODAY, "B2", 2, 2)
    )
    assert refused_step(
        app, lambda: app.thaw_vial(staff["operator"], vials[0], "production", 90.0)
    ) == ["R-CB-5"]


def test_r_cb_5_bank_release_is_signed_by_qa(staffed: Staffed, cells: str) -> None:
    app, staff = staffed
    bank, _ = released_bank(app, staff, "master", cells, bank_plan(TODAY, "B2", 2, 2))
    released = history(app, bank)[-1]
    assert type(released).__name__ == "Released"
    assert released.stamp.actor_role == "qa"  # type: ignore[attr-defined]
    assert released.stamp.meaning is Meaning.RELEASED  # type: ignore[attr-defined]


def test_r_cb_6_low_viability_thaw_is_recorded_and_its_cells_refused(
    staffed: Staffed, cells: str
) -> None:
    # Given a released master bank
    app, staff = staffed
    _, vials = released_bank(app, staff, "master", cells, bank_plan(TODAY, "B2", 2, 2))
    # When a vial thaws below the 80% specification, Then the thaw is recorded
    app.thaw_vial(staff["operator"], vials[0], "production", 62.0)
    assert app.get_bank_vial(vials[0]).viability_pct == 62.0
    # And a working bank from its cells is refused with nothing written
    plan = bank_plan(TODAY, "B3", 2, 3)
    assert refused_step(
        app, lambda: app.establish_cell_bank(staff["operator"], "working", vials[0], plan)
    ) == ["R-CB-6"]


def test_r_cb_7_unstable_line_without_lawful_origin_is_refused(staffed: Staffed) -> None:
    app, staff = staffed
    operator = staff["operator"]
    assert refused_step(
        app, lambda: app.receive_cell_line(operator, CellLine("HEK293T", "ATCC", "7001"))
    ) == ["R-CB-7"]
    code, _ = app.receive_cell_line(
        operator, CellLine("HEK293T", "ATCC", "7001", lawful_origin_ref="MTA-ATCC-17")
    )
    assert parse_code(code).item_type is ItemType.CELL_PORTION


def test_r_cb_7_engineering_records_the_vector(staffed: Staffed, cells: str) -> None:
    app, staff = staffed
    vector = {"type": "lentiviral", "name": "pLV-CD63-GFP", "lot": "VEC-01"}
    app.record_engineering(staff["operator"], cells, vector)  # type: ignore[arg-type]
    assert app.get_cell_source(cells).vector == vector
