"""Builders for the Domain I tests: aggregates in a typical good state, and a staffed ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from eventsourcing.domain import Aggregate

from ledger.application import Actor, CellTraceLedger
from ledger.config import Settings
from ledger.demo.records import (
    MSC_IDENTITY,
    NO_HEMODILUTION,
    arrival,
    bank_plan,
    collect,
    passing_bank_tests,
    register_staff,
    screening_record,
    screening_results,
)
from ledger.demo.records import (
    released_lot as app_lot,
)
from ledger.domain.bank_vial import BankPlan, BankVial, ThawPurpose, Tier
from ledger.domain.base import Meaning, Stamp, stamped
from ledger.domain.cellbank import CellBank
from ledger.domain.codes import item_id
from ledger.domain.collection import Collection, SampleType
from ledger.domain.donor import Donor
from ledger.domain.donor_standing import ConsentScope
from ledger.domain.isolation import CellPortion, IsolationMethod
from ledger.domain.material import AnimalSpecies, AntibioticClass, Grade, Material, MaterialKind
from ledger.domain.material_lot import MaterialLot
from ledger.domain.material_use import Stage, UseOf, check_use
from ledger.domain.screening import ScreeningRecord
from ledger.errors import RuleViolation
from ledger.identifiers import ItemCode, ItemType

A = TypeVar("A", bound=Aggregate)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
STAMP = Stamp("PER-F01-26-000002-B", "operator", Meaning.PERFORMED, NOW)
BANKING = [ConsentScope.BANKING, ConsentScope.LONG_TERM_STORAGE]
PARAMS = {"collagenase_mg_per_ml": "1.0", "digestion_min": "60"}


def code(item_type: ItemType, serial: int = 1) -> str:
    return str(ItemCode.issue(item_type, "F01", 26, serial))


def settled(aggregate: A) -> A:
    """The aggregate with its pending events taken, as if just saved."""
    aggregate.collect_events()
    return aggregate


def screening(**overrides: Any) -> ScreeningRecord:
    """A complete, non-reactive screening, with `overrides` replacing fields."""
    record = screening_record(TODAY, leukocyte_rich=overrides.get("leukocyte_rich", False))
    return ScreeningRecord(**{**record, **overrides})  # type: ignore[typeddict-item]


def eligible_donor(
    serial: int = 1, *, autologous: bool = False, leukocyte_rich: bool = False
) -> Donor:
    with stamped(STAMP):
        donor = Donor(code(ItemType.DONOR, serial), autologous)
        donor.record_consent(BANKING, "PRJ-EV-01", "Hospital A", "ICF v2", TODAY, TODAY)
        donor.record_screening(screening(leukocyte_rich=leukocyte_rich))
        donor.determine_eligibility(True, "all markers non-reactive")
    return settled(donor)


def material(reference: str = "MEM-ALPHA", **facts: Any) -> Material:
    kind = facts.pop("kind", MaterialKind.MEDIUM)
    with stamped(STAMP):
        return settled(Material.define(reference, reference, kind, Grade.PHARMACEUTICAL, **facts))


def released_lot(serial: int = 1, reference: str = "MEM-ALPHA", **facts: Any) -> MaterialLot:
    with stamped(STAMP):
        lot = MaterialLot.receive(
            code(ItemType.MATERIAL_LOT, serial),
            material(reference, **facts),
            "Supplier Co.",
            f"L{serial}",
            TODAY + timedelta(days=100),
            "CoA-1",
            TODAY,
        )
        lot.release("QC-1", TODAY)
    return settled(lot)


def antibiotic_lot(serial: int, *classes: AntibioticClass) -> MaterialLot:
    return released_lot(
        serial, "ABX", kind=MaterialKind.ANTIBIOTIC, antibiotic_classes=list(classes)
    )


def serum_lot(serial: int = 9, **facts: Any) -> MaterialLot:
    good: dict[str, Any] = {
        "kind": MaterialKind.SERUM,
        "animal_species": AnimalSpecies.BOVINE,
        "origin_country": "NZ",
        "gmp": True,
        "pathogen_screening_ref": "PS-1",
    }
    return released_lot(serial, "FBS", **{**good, **facts})


def transport_checks() -> list[Any]:
    lot = released_lot(20, "HTS")
    return [check_use(lot, UseOf(lot.code), Stage.TRANSPORT, TODAY, False)]


def received_collection(donor: Donor, serial: int = 1, **overrides: Any) -> Collection:
    sample_type = overrides.pop("sample_type", SampleType.UMBILICAL_CORD)
    with stamped(STAMP):
        collection = Collection.receive(
            code(ItemType.COLLECTION, serial),
            donor,
            sample_type,
            overrides.pop("collected_at", NOW - timedelta(hours=5)),
            overrides.pop("sop_version", "SOP-COL-003 v4"),
            overrides.pop("transport", transport_checks()),
            overrides.pop("arrival", arrival(NOW - timedelta(hours=1))),
            NOW,
        )
    return settled(collection)


def isolated_portion(
    donor: Donor, *, confirmed: bool = True, pluripotent: bool = False
) -> CellPortion:
    collection = received_collection(donor)
    with stamped(STAMP):
        (portion,) = CellPortion.isolate(
            [code(ItemType.CELL_PORTION)],
            collection,
            [donor.standing()],
            IsolationMethod.ENZYMATIC,
            PARAMS,
            "umbilical cord MSC",
            pluripotent,
            [],
        )
        if confirmed:
            portion.confirm_identity("flow cytometry", MSC_IDENTITY, "QC-ID-1", [donor.standing()])
    return settled(portion)


def establish(
    tier: Tier, source: Any, donor: Donor, plan: BankPlan | None = None, vials: int = 3
) -> tuple[CellBank, list[BankVial]]:
    """A bank of `tier` frozen from `source` (not tested, not released)."""
    plan = plan or bank_plan(TODAY, "B9", vials, 5)
    codes = [f"BVL-F01-26-{900 + n:06d}" for n in range(len(plan.locations))]
    with stamped(STAMP):
        return CellBank.establish(
            "MCB-F01-26-000009-X", codes, tier, source, [donor.standing()], plan, [], TODAY
        )


def released_bank(
    tier: Tier, source: Any, donor: Donor, serial: int, vials: int = 3, passage: int = 2
) -> tuple[CellBank, list[BankVial]]:
    """A bank of `tier` from `source`, fully tested and released, its first vial thawed."""
    item = {Tier.SEED: ItemType.SEED_BANK, Tier.MASTER: ItemType.MASTER_CELL_BANK}.get(
        tier, ItemType.WORKING_CELL_BANK
    )
    vial_codes = [code(ItemType.BANK_VIAL, serial * 100 + n) for n in range(vials)]
    with stamped(STAMP):
        bank, made = CellBank.establish(
            code(item, serial),
            vial_codes,
            tier,
            source,
            [donor.standing()],
            bank_plan(TODAY, f"B{serial}", vials, passage),
            [],
            TODAY,
        )
        for result in passing_bank_tests(TODAY):
            bank.record_test(result, [donor.standing()])
        bank.release([donor.standing()])
        made[0].thaw(ThawPurpose.PRODUCTION, 92.0, NOW, True, [donor.standing()])
    return settled(bank), [settled(v) for v in made]


Staffed = tuple[CellTraceLedger, dict[str, Actor]]


@contextmanager
def staffed_ledger(settings: Settings) -> Iterator[tuple[CellTraceLedger, dict[str, Actor]]]:
    """A ledger on `settings` with a fixed clock and trained staff for every Domain I step."""
    app = CellTraceLedger(settings, clock=lambda: NOW)
    try:
        yield app, register_staff(app, lambda _line: None)
    finally:
        app.close()


def refused_step(app: CellTraceLedger, call: Callable[[], object]) -> list[str]:
    """Run a ledger step that must be refused; check nothing was written; return the rule IDs."""
    before = last_id(app)
    with pytest.raises(RuleViolation) as refusal:
        call()
    assert last_id(app) == before
    return [v.rule for v in refusal.value.violations]


def last_id(app: CellTraceLedger) -> int:
    return app.recorder.max_notification_id() or 0


def history(app: CellTraceLedger, item_code: str) -> list[Any]:
    """The stored events of the item with `item_code`, in order."""
    return list(app.events.get(item_id(item_code)))


def app_collection(app: CellTraceLedger, staff: dict[str, Actor], donor: str) -> str:
    """A collection of `donor` in a released (antibiotic-free) transport medium."""
    return collect(app, staff, donor, [UseOf(app_lot(app, staff, "MEM-ALPHA"))])


__all__ = [
    "MSC_IDENTITY",
    "NO_HEMODILUTION",
    "arrival",
    "passing_bank_tests",
    "screening_results",
]
