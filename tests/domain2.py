"""Builders for the Domain II tests: a "plant" ledger (trained staff, released materials, an
approved EV specification and a thawed working-bank vial fit for production), built once per
test module on SQLite and copied for each test, so that every test starts from the same state.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ledger.application import Actor, CellTraceLedger
from ledger.config import Settings
from ledger.demo.production import EV_SPEC, UC, grow, harvest, issue_ev_specification
from ledger.demo.records import (
    MSC_IDENTITY,
    bank_plan,
    collect,
    eligible_donor,
    isolate,
    released_bank,
    released_lot,
)
from ledger.domain.cell_source import Vector
from ledger.domain.material_use import UseOf
from tests.domain1 import NOW, TODAY, staffed_ledger

#: Materials of the plant: a gentamicin transport medium (validated removal), bovine serum
#: in expansion, a serum-free collection medium, and others for the refusal tests.
PLANT_MATERIALS = (
    "TM-GENTA",
    "MEM-ALPHA",
    "FBS-NZ",
    "SFM-EV",
    "TRYPLE",
    "PBS-EV",
    "PEN-STREP",
    "COLL-I",
)


@dataclass(frozen=True)
class Plant:
    """What a production test starts from."""

    settings: Settings
    staff: dict[str, Actor]
    lots: Mapping[str, str]  # material reference -> released lot code
    donor: str
    vial: str  # thawed for production at 92 %, spec 80 %
    spare: tuple[str, ...]  # further working-bank vials, not thawed


def thawed_wcb_vials(
    app: CellTraceLedger,
    staff: dict[str, Actor],
    donor: str,
    lots: Mapping[str, str],
    vector: Vector | None = None,
) -> list[str]:
    """Working-bank vials of `donor`'s cells, engineered with `vector` if given (MCB -> WCB,
    both released); the first one thawed."""
    transport = UseOf(lots["TM-GENTA"], removal_validation="VAL-WASH-3x")
    collection = collect(app, staff, donor, [transport])
    (cells,) = isolate(app, staff, collection, [UseOf(lots["COLL-I"])], 1)
    if vector is not None:
        app.record_engineering(staff["operator"], cells, vector)
    app.confirm_identity(staff["qc_analyst"], cells, "flow", MSC_IDENTITY, "ID-1")
    culture = [UseOf(lots["MEM-ALPHA"]), UseOf(lots["FBS-NZ"])]
    _, master = released_bank(app, staff, "master", cells, bank_plan(TODAY, "B2", 2, 2), culture)
    app.thaw_vial(staff["operator"], master[0], "production", 93.0)
    plan = bank_plan(TODAY, "B3", 3, 4)
    _, working = released_bank(app, staff, "working", master[0], plan, culture)
    app.thaw_vial(staff["operator"], working[0], "production", 92.0)
    return working


def build_plant(directory: Path) -> Plant:
    data = directory / "data"
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    with staffed_ledger(settings) as (app, staff):
        lots = {ref: released_lot(app, staff, ref) for ref in PLANT_MATERIALS}
        donor = eligible_donor(app, staff)
        vials = thawed_wcb_vials(app, staff, donor, lots)
        issue_ev_specification(app, staff)
    return Plant(settings, staff, lots, donor, vials[0], tuple(vials[1:]))


Planted = tuple[CellTraceLedger, Plant]


@contextmanager
def plant_ledger(template: Plant, directory: Path) -> Iterator[tuple[CellTraceLedger, Plant]]:
    """A copy of the template plant in `directory`, opened with the tests' fixed clock."""
    data = directory / "data"
    shutil.copytree(template.settings.data_dir, data)
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    plant = Plant(
        settings, template.staff, template.lots, template.donor, template.vial, template.spare
    )
    app = CellTraceLedger(settings, clock=lambda: NOW)
    try:
        yield app, plant
    finally:
        app.close()


def harvests(app: CellTraceLedger, plant: Plant, n: int = 2) -> tuple[str, list[str]]:
    """The culture of the plant's vial (grown to the collection stage on first use) and `n`
    new harvests of it."""
    started = app.get_bank_vial(plant.vial).children
    culture = started[0] if started else grow(app, plant.staff, plant.vial, plant.lots)
    return culture, harvest(app, plant.staff, culture, plant.lots, n)


def purified_lot(app: CellTraceLedger, plant: Plant, blinded_study: str = "") -> str:
    """A lot purified from two harvests of a culture of the plant's vial."""
    _, made = harvests(app, plant)
    operator = plant.staff["operator"]
    code, _ = app.purify_lot(operator, made, UC, EV_SPEC, blinded_study=blinded_study)
    return code
