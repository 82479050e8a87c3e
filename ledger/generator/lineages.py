"""Generated ledgers for the benchmarks, the trace tests and `celltrace generate` (R-TRC-1..2,
R-DON-7): donors, collections, cell portions, seed / master / working banks with their vials,
cultures, harvests, product lots and vials, shipments, patients dosed, material lots,
look-backs and material recalls, all through `CellTraceLedger`'s commands so every GMP rule
applies as in real use.

Each lineage (`Generator.lineage`) runs from a donor to thawed working-bank vials; most go on
(`ledger.generator.downstream`) to a culture, product lots with QC, certification and fill,
shipments to a few sites, and patients dosed there. A material lot serves `LOT_USES` steps, so
one lot of serum, collection medium or purification buffer feeds many product lots.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from ledger.application import CellTraceLedger
from ledger.bootstrap import init_ledger
from ledger.config import Settings
from ledger.demo.records import (
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
from ledger.generator.downstream import BUFFER, Downstream
from ledger.generator.mix import Lineage, Shape, Stats, small_shape

#: Materials a lineage uses (reference -> step), all antibiotic-free so no removal proof is
#: needed downstream.
TRANSPORT, ENZYME, MEDIUM, SERUM = "MEM-ALPHA", "COLL-I", "MEM-ALPHA", "FBS-NZ"
LOT_USES = 25  # steps per material lot before the next lot is received


class Generator:
    """Records lineages through the real application, receiving material lots as needed."""

    def __init__(self, app: CellTraceLedger, staff: Staff, lot_uses: int = LOT_USES) -> None:
        self.app, self.staff, self.lot_uses = app, staff, lot_uses
        self._lots: dict[str, tuple[str, int]] = {}
        self._box = 0
        self._downstream: Downstream | None = None

    def lot(self, reference: str) -> str:
        """The current released lot of `reference`; a new one every `lot_uses` uses."""
        code, uses = self._lots.get(reference, ("", self.lot_uses))
        if uses >= self.lot_uses:
            code = released_lot(self.app, self.staff, reference)
            uses = 0
        self._lots[reference] = (code, uses + 1)
        return code

    def in_use(self, reference: str) -> bool:
        """Whether a lot of `reference` is being used (and so can be recalled)."""
        return reference in self._lots

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

    def downstream(self) -> Downstream:
        """Production and clinical use, set up on first use."""
        if self._downstream is None:
            self._downstream = Downstream(self.app, self.staff, self.lot)
        return self._downstream

    def lineage(self, shape: Shape) -> Lineage:
        """Donor -> collection -> portions -> seed bank -> master bank -> working banks, each
        bank tested and released, one vial of each thawed for the next tier; then, if `shape`
        says so, product lots from the last thawed vial, shipments and patients dosed."""
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
        if shape.product_lots:
            self._downstream_of(lineage, shape)
        return lineage

    def _downstream_of(self, lineage: Lineage, shape: Shape) -> None:
        downstream, made = self.downstream(), lineage.made
        filled = downstream.produce(lineage.deepest, shape.product_lots, shape.product_vials, made)
        for vials in filled:
            if shape.shipped:
                downstream.distribute(vials[: shape.shipped], shape.doses, made)
        lineage.items += made.items
        lineage.lots |= made.lots

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

    The mix (`ledger.generator.mix`): mostly small lineages of varied size, about two in three going
    on to product lots, shipments and patients; one `big` lineage first (a donor with many
    working-bank vials, for trace-down at scale); a look-back on about one donor in fifty
    and a material lot recall (enzyme, serum or purification buffer) about every forty
    lineages.
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
            shape = shapes.pop() if shapes else small_shape(rng)
            lineage = generator.lineage(shape)
            stats.add(shape, lineage)
            if rng.random() < 0.02:
                generator.lookback(lineage.donor)
                stats.lookbacks.append(lineage.donor)
            if rng.random() < 0.025:
                recallable = [r for r in (ENZYME, SERUM, BUFFER) if generator.in_use(r)]
                stats.recalls.append(generator.recall(rng.choice(recallable)))
            if stats.donors % 50 == 0:
                echo(f"{stats.donors} donors, {app.recorder.max_notification_id()} events")
        stats.events = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    stats.seconds = time.perf_counter() - start
    return stats


__all__ = ["ENZYME", "LOT_USES", "SERUM", "TRANSPORT", "Generator", "generate"]
