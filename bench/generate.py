"""Generated ledgers for the benchmarks, the trace tests and the demo of scale (R-TRC-1..2,
R-DON-7): donors, collections, cell portions, seed / master / working banks with their vials,
material lots, look-backs and material recalls, all through `CellTraceLedger`'s commands so
every GMP rule applies as in real use.

Only Domain I exists yet. Each lineage is a list of steps (`Generator.lineage`); cultures,
product lots and vials, shipments and patients become further steps on a thawed working-bank
vial when their domains land.

    python -m bench.generate --events 100000 [--db PATH]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ledger.application import CellTraceLedger
from ledger.bootstrap import init_ledger
from ledger.config import Settings
from ledger.demo_records import (
    MSC_IDENTITY,
    Staff,
    bank_plan,
    collect,
    eligible_donor,
    isolate,
    register_staff,
    released_bank,
    released_lot,
)
from ledger.domain.bank_vial import BankPlan
from ledger.domain.material_use import UseOf

#: Materials a lineage uses (reference -> step), all antibiotic-free so no removal proof is
#: needed downstream.
TRANSPORT, ENZYME, MEDIUM, SERUM = "MEM-ALPHA", "COLL-I", "MEM-ALPHA", "FBS-NZ"
LOT_USES = 25  # steps per material lot before the next lot is received


@dataclass(frozen=True)
class Shape:
    """How big one donor's lineage is."""

    portions: int = 2
    seed_vials: int = 2
    master_vials: int = 4
    working_banks: int = 1
    working_vials: int = 10


@dataclass
class Lineage:
    """The codes one donor's lineage produced, oldest first."""

    donor: str
    items: list[str] = field(default_factory=list)
    lots: set[str] = field(default_factory=set)
    deepest: str = ""


@dataclass
class Stats:
    events: int = 0
    seconds: float = 0.0
    donors: int = 0
    vials: int = 0
    lookbacks: list[str] = field(default_factory=list)
    recalls: list[str] = field(default_factory=list)
    lineages: list[Lineage] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Generator:
    """Records lineages through the real application, receiving material lots as needed."""

    def __init__(self, app: CellTraceLedger, staff: Staff, lot_uses: int = LOT_USES) -> None:
        self.app, self.staff, self.lot_uses = app, staff, lot_uses
        self._lots: dict[str, tuple[str, int]] = {}
        self._box = 0

    def lot(self, reference: str) -> str:
        """The current released lot of `reference`; a new one every `lot_uses` uses."""
        code, uses = self._lots.get(reference, ("", self.lot_uses))
        if uses >= self.lot_uses:
            code = released_lot(self.app, self.staff, reference)
            uses = 0
        self._lots[reference] = (code, uses + 1)
        return code

    def recall(self, reference: str, reason: str = "supplier recall notice") -> str:
        """Recall the current lot of `reference` (its next use receives a new lot)."""
        code, _ = self._lots.pop(reference)
        self.app.recall_material_lot(self.staff["qa"], code, reason)
        return code

    def lookback(self, donor: str) -> None:
        self.app.declare_donor_ineligible(
            self.staff["qa"], donor, "seroconversion at 180-day re-test", self.app.today()
        )

    def plan(self, vials: int, passage: int) -> BankPlan:
        self._box += 1
        return bank_plan(self.app.today(), f"B{self._box}", vials, passage)

    def lineage(self, shape: Shape) -> Lineage:
        """Donor -> collection -> portions -> seed bank -> master bank -> working banks, each
        bank tested and released, one vial of each thawed for the next tier."""
        app, staff, operator = self.app, self.staff, self.staff["operator"]
        lineage = Lineage(eligible_donor(app, staff))
        transport = self.lot(TRANSPORT)
        collection = collect(app, staff, lineage.donor, [UseOf(transport)])
        enzyme = self.lot(ENZYME)
        portions = isolate(app, staff, collection, [UseOf(enzyme)], shape.portions)
        app.confirm_identity(staff["qc_analyst"], portions[0], "flow cytometry", MSC_IDENTITY, "ID")
        culture_lots = [self.lot(MEDIUM), self.lot(SERUM)]
        culture = [UseOf(lot) for lot in dict.fromkeys(culture_lots)]
        lineage.lots |= {transport, enzyme, *culture_lots}
        lineage.items += [collection, *portions]
        seed, seed_vials = self._bank("seed", portions[0], shape.seed_vials, 2, culture)
        master, master_vials = self._bank("master", seed_vials[0], shape.master_vials, 4, culture)
        lineage.items += [seed, *seed_vials, master, *master_vials]
        for n in range(shape.working_banks):
            source = master_vials[1 + n % max(len(master_vials) - 1, 1)]
            if n < len(master_vials) - 1:
                app.thaw_vial(operator, source, "production", 92.0)
            working, vials = self._bank("working", source, shape.working_vials, 6, culture)
            lineage.items += [working, *vials]
            lineage.deepest = vials[0]
            app.thaw_vial(operator, vials[0], "production", 90.0)
        # Later domains: culture -> harvest -> product lot -> product vials -> shipment ->
        # patient, each a step here on `lineage.deepest`.
        return lineage

    def _bank(
        self, tier: str, source: str, vials: int, passage: int, culture: Sequence[UseOf]
    ) -> tuple[str, list[str]]:
        bank, codes = released_bank(
            self.app,
            self.staff,
            tier,
            source,
            self.plan(vials, passage),
            culture,
        )
        if tier != "working":
            self.app.thaw_vial(self.staff["operator"], codes[0], "production", 91.0)
        return bank, codes


def generate(
    settings: Settings,
    events: int,
    *,
    seed: int = 7,
    big: Shape | None = None,
    echo: Callable[[str], None] = lambda _line: None,
) -> Stats:
    """Record lineages until the ledger holds at least `events` events.

    The mix: mostly small lineages of varied size, one `big` lineage first (a donor with
    many working-bank vials, for trace-down at scale), a look-back on about one donor in
    fifty and a material lot recall about every forty lineages.
    """
    init_ledger(settings)
    rng = random.Random(seed)
    app = CellTraceLedger(settings)
    stats = Stats()
    start = time.perf_counter()
    try:
        generator = Generator(app, register_staff(app, lambda _line: None))
        shapes = [big] if big else []
        while (app.recorder.max_notification_id() or 0) < events:
            shape = shapes.pop() if shapes else _small(rng)
            lineage = generator.lineage(shape)
            stats.lineages.append(lineage)
            stats.donors += 1
            stats.vials += shape.seed_vials + shape.master_vials
            stats.vials += shape.working_banks * shape.working_vials
            if rng.random() < 0.02:
                generator.lookback(lineage.donor)
                stats.lookbacks.append(lineage.donor)
            if rng.random() < 0.025:
                stats.recalls.append(generator.recall(rng.choice([ENZYME, SERUM])))
            if stats.donors % 50 == 0:
                echo(f"{stats.donors} donors, {app.recorder.max_notification_id()} events")
        stats.events = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    stats.seconds = time.perf_counter() - start
    return stats


def _small(rng: random.Random) -> Shape:
    return Shape(
        portions=rng.randint(1, 3),
        seed_vials=rng.randint(2, 4),
        master_vials=rng.randint(3, 10),
        working_banks=rng.randint(1, 3),
        working_vials=rng.choice([10, 20, 50, 100]),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=Path("celltrace-data/generated/ledger.db"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--big-vials", type=int, default=0, help="first donor gets this many working-bank vials"
    )
    args = parser.parse_args(argv)
    db = args.db.resolve()
    settings = Settings(data_dir=db.parent, database_url=f"sqlite:///{db}")
    big = big_shape(args.big_vials) if args.big_vials else None
    stats = generate(settings, args.events, seed=args.seed, big=big, echo=print)
    print(
        f"{stats.events} events, {stats.donors} donors, {stats.vials} bank vials, "
        f"{len(stats.lookbacks)} look-backs, {len(stats.recalls)} recalls in "
        f"{stats.seconds:.1f} s ({stats.rate:,.0f} events/s) -> {db}"
    )
    return 0


def big_shape(vials: int, per_bank: int = 1000) -> Shape:
    """One donor whose working banks hold at least `vials` vials in all."""
    banks = max(1, -(-vials // per_bank))
    return Shape(master_vials=banks + 1, working_banks=banks, working_vials=per_bank)


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Generator", "Lineage", "Shape", "Stats", "generate", "main"]
