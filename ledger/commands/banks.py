"""Commands from donor sample to released cell bank: collection, isolation, clones, identity,
engineering, received cell lines, banks, bank testing and release, vial thaw (R-CB-1..7).

Each step loads the donors its item descends from and the material lots it uses, passes those
facts to the aggregate, and saves every touched aggregate (parent included) in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ledger.commands.donors import donor_standings
from ledger.commands.materials import check_material_uses
from ledger.commands.storage import leave_units, storage_unit
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.bank_vial import BankPlan, BankVial, StorageLocation, ThawPurpose, Tier
from ledger.domain.base import parse_enum
from ledger.domain.cell_source import CellSource, IdentityFinding, Vector
from ledger.domain.cellbank import BankTestResult, CellBank
from ledger.domain.collection import Arrival, Collection, SampleType
from ledger.domain.donor import Donor
from ledger.domain.isolation import CellLine, CellLineStock, CellPortion, IsolationMethod
from ledger.domain.material_use import Stage, UseOf
from ledger.domain.product_vial import TemperatureRange
from ledger.domain.storage_unit import VAPOUR_PHASE_MAX_C, StorageUnit
from ledger.errors import RuleViolation
from ledger.identifiers import ItemType, parse_code

COLLECT = "cells.collect"
ISOLATE = "cells.isolate"
CLONE = "cells.clone"
IDENTITY = "cells.identity"
ENGINEER = "cells.engineer"
RECEIVE_LINE = "cells.receive_line"
ESTABLISH = "banks.establish"
TEST = "banks.test"
RELEASE = "banks.release"
THAW = "banks.thaw"


SOURCES = (ItemType.CELL_PORTION, ItemType.CLONE)
BANKS = (ItemType.SEED_BANK, ItemType.MASTER_CELL_BANK, ItemType.WORKING_CELL_BANK)
BANK_TYPE = dict(zip(Tier, BANKS, strict=True))


class BankCommands(LedgerCore):
    def record_collection(
        self,
        actor: Actor,
        donor_code: str,
        sample_type: str,
        collected_at: datetime,
        sop_version: str,
        transport_media: Sequence[UseOf],
        arrival: Arrival,
    ) -> tuple[str, Receipt]:
        """Record a donor sample as received (R-CB-1, R-MAT-5, R-DON-2/4/6)."""
        actor = self.authorise(actor, COLLECT)
        kind = parse_enum(SampleType, sample_type, "R-CB-1", "sample type")
        donor = self.load(donor_code, ItemType.DONOR, Donor)
        checks = check_material_uses(self, transport_media, Stage.TRANSPORT)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.COLLECTION)
            collection = Collection.receive(
                str(code), donor, kind, collected_at, sop_version, checks, arrival, self.clock()
            )
        return str(code), self.record(sequence, collection, donor)

    def isolate_cells(
        self,
        actor: Actor,
        collection_code: str,
        *,
        method: str,
        parameters: dict[str, str],
        cell_type: str,
        portions: int = 1,
        materials: Sequence[UseOf] = (),
        pluripotent: bool = False,
    ) -> tuple[list[str], Receipt]:
        """Isolate cells into portions, each with its own code (R-CB-2)."""
        actor = self.authorise(actor, ISOLATE)
        checked = parse_enum(IsolationMethod, method, "R-CB-2", "isolation method")
        collection = self.load(collection_code, ItemType.COLLECTION, Collection)
        self.require_status(ISOLATE, collection)
        donors = donor_standings(self, collection.donor_codes)
        checks = check_material_uses(self, materials, Stage.ISOLATION)
        with self.command(actor):
            sequence, codes = self.issue_codes(ItemType.CELL_PORTION, max(portions, 1))
            cells = CellPortion.isolate(
                [str(c) for c in codes][:portions],
                collection,
                donors,
                checked,
                parameters,
                cell_type,
                pluripotent,
                checks,
            )
        return [c.code for c in cells], self.record(sequence, collection, *cells)

    def pick_clones(
        self, actor: Actor, source_code: str, count: int, method: str
    ) -> tuple[list[str], Receipt]:
        """Single-cell clones of a portion or clone, each with its own code (§5.4.1(4))."""
        actor, source = self.on_item(actor, CLONE, self.get_cell_source, source_code)
        donors = donor_standings(self, source.donor_codes)
        with self.command(actor):
            sequence, codes = self.issue_codes(ItemType.CLONE, max(count, 1))
            clones = source.pick_clones([str(c) for c in codes][:count], method, donors)
        return [c.code for c in clones], self.record(sequence, source, *clones)

    def confirm_identity(
        self,
        actor: Actor,
        source_code: str,
        method: str,
        findings: list[IdentityFinding],
        report_ref: str,
    ) -> Receipt:
        actor, source = self.on_item(actor, IDENTITY, self.get_cell_source, source_code)
        donors = donor_standings(self, source.donor_codes)
        with self.command(actor):
            source.confirm_identity(method, findings, report_ref, donors)
        return self.record(source)

    def record_engineering(
        self, actor: Actor, source_code: str, vector: Vector, *, reprogramming: bool = False
    ) -> Receipt:
        actor, source = self.on_item(actor, ENGINEER, self.get_cell_source, source_code)
        donors = donor_standings(self, source.donor_codes)
        with self.command(actor):
            source.record_engineering(vector, reprogramming, donors)
        return self.record(source)

    def receive_cell_line(self, actor: Actor, line: CellLine) -> tuple[str, Receipt]:
        """Receive cells of an established line (R-CB-7: unstable lines need lawful origin)."""
        actor = self.authorise(actor, RECEIVE_LINE)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.CELL_PORTION)
            stock = CellLineStock.receive(str(code), line)
        return str(code), self.record(sequence, stock)

    def establish_cell_bank(
        self,
        actor: Actor,
        tier: str,
        source_code: str,
        plan: BankPlan,
        materials: Sequence[UseOf] = (),
    ) -> tuple[str, list[str], Receipt]:
        """Freeze a seed, master or working bank; returns the bank code and its vial codes."""
        actor = self.authorise(actor, ESTABLISH)
        checked = parse_enum(Tier, tier, "R-CB-3", "bank tier")
        kind = parse_code(source_code, (*SOURCES, ItemType.BANK_VIAL)).item_type
        source: CellSource | BankVial = (
            self.get_bank_vial(source_code)
            if kind is ItemType.BANK_VIAL
            else self.get_cell_source(source_code)
        )
        donors = donor_standings(self, source.donor_codes)
        checks = check_material_uses(self, materials, Stage.EXPANSION_CULTURE)
        tanks = tank_units(self, plan)
        with self.command(actor):
            bank_seq, (code,) = self.issue_codes(BANK_TYPE[checked])
            vial_seq, vial_codes = self.issue_codes(ItemType.BANK_VIAL, max(len(plan.locations), 1))
            bank, vials = CellBank.establish(
                str(code),
                [str(v) for v in vial_codes][: len(plan.locations)],
                checked,
                source,
                donors,
                plan,
                checks,
                self.today(),
            )
            for unit in tanks.values():
                for vial in vials:
                    if vial.location["tank"].strip().upper() == unit.code:
                        unit.put_in([vial.code], describe_in_tank(vial.location), self.clock())
        receipt = self.record(bank_seq, vial_seq, source, bank, *vials, *tanks.values())
        return bank.code, bank.vials, receipt

    def record_bank_test(self, actor: Actor, bank_code: str, result: BankTestResult) -> Receipt:
        """Record one bank test result, in-house or third-party (R-CB-5, §5.8)."""
        actor, bank = self.on_item(actor, TEST, self.get_cell_bank, bank_code)
        with self.command(actor):
            bank.record_test(result, donor_standings(self, bank.donor_codes))
        return self.record(bank)

    def release_cell_bank(self, actor: Actor, bank_code: str) -> Receipt:
        """QA's signed release after full testing (R-CB-5)."""
        actor, bank = self.on_item(actor, RELEASE, self.get_cell_bank, bank_code)
        with self.command(actor):
            bank.release(donor_standings(self, bank.donor_codes))
        return self.record(bank)

    def thaw_vial(
        self,
        actor: Actor,
        vial_code: str,
        purpose: str,
        viability_pct: float,
        thawed_at: datetime | None = None,
    ) -> Receipt:
        """Record a vial's thaw and post-thaw viability (R-CB-5, R-CB-6)."""
        actor = self.authorise(actor, THAW)
        checked = parse_enum(ThawPurpose, purpose, "R-CB-6", "thaw purpose")
        vial = self.get_bank_vial(vial_code)
        self.require_status(THAW, vial)
        bank = self.get_cell_bank(vial.bank)
        with self.command(actor):
            vial.thaw(
                checked,
                viability_pct,
                thawed_at or self.clock(),
                bank.released,
                donor_standings(self, vial.donor_codes),
            )
            tank = vial.location["tank"].strip().upper()
            left = leave_units(self, {vial.code: tank}, "thawed") if is_unit(tank) else []
        return self.record(vial, *left)

    def get_collection(self, code: str) -> Collection:
        return self.load(code, ItemType.COLLECTION, Collection)

    def get_cell_source(self, code: str) -> CellSource:
        return self.load(code, SOURCES, CellSource)

    def get_cell_bank(self, code: str) -> CellBank:
        return self.load(code, BANKS, CellBank)

    def get_bank_vial(self, code: str) -> BankVial:
        return self.load(code, ItemType.BANK_VIAL, BankVial)


#: What a bank vial needs of the tank it is kept in (R-CB-4): the vapour phase of liquid
#: nitrogen, never warmer than the glass transition.
VAPOUR_PHASE = TemperatureRange(min_c=-273.0, max_c=VAPOUR_PHASE_MAX_C)


def is_unit(tank: str) -> bool:
    """Whether a bank vial's tank is given as a registered storage unit's code (R-SHP-5)."""
    return tank.startswith(f"{ItemType.STORAGE_UNIT.prefix}-")


def tank_units(core: LedgerCore, plan: BankPlan) -> dict[str, StorageUnit]:
    """The registered manufacturer units named as tanks in a bank plan, checked (R-SHP-5,
    R-CB-4): a tank given by a unit's code must be the manufacturer's, cold enough for vapour
    phase storage, and have no unassessed excursion."""
    named: dict[str, list[str]] = {}
    for location in plan.locations:
        tank = location["tank"].strip().upper()
        if is_unit(tank):
            named.setdefault(tank, []).append(describe_in_tank(location))
    units = {code: storage_unit(core, code) for code in named}
    problems = [
        p
        for code, unit in units.items()
        for p in unit.put_problems(None, VAPOUR_PHASE, named[code])
    ]
    if problems:
        raise RuleViolation(problems)
    return units


def describe_in_tank(location: StorageLocation) -> str:
    return "rack {rack} / box {box} / position {position}".format(**location)
