"""What the data generator records (R-TRC-1..2, R-DON-7): the shape of one donor's lineage,
the codes a lineage produced, the totals of a generated ledger, and the mix of shapes drawn
for it (many small lineages of varied size; one big lineage for trace-down at scale)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ledger.generator.downstream import Made


@dataclass(frozen=True)
class Shape:
    """How big one donor's lineage is."""

    portions: int = 2
    seed_vials: int = 2
    master_vials: int = 4
    working_banks: int = 1
    working_vials: int = 10
    product_lots: int = 0  # made from a culture of the thawed working-bank vial
    product_vials: int = 10  # filled from each product lot (at most 20)
    shipped: int = 0  # vials of each product lot shipped to a site
    doses: int = 0  # patients of that site dosed from each shipment

    @property
    def bank_vials(self) -> int:
        return self.seed_vials + self.master_vials + self.working_banks * self.working_vials


@dataclass
class Lineage:
    """The codes one donor's lineage produced, oldest first."""

    donor: str
    items: list[str] = field(default_factory=list)
    lots: set[str] = field(default_factory=set)  # material lots used
    deepest: str = ""  # the last thawed working-bank vial
    made: Made = field(default_factory=Made)  # its product lots, vials, shipments, patients


@dataclass
class Stats:
    events: int = 0
    seconds: float = 0.0
    donors: int = 0
    vials: int = 0  # bank vials
    product_lots: int = 0
    product_vials: int = 0
    shipments: int = 0
    patients: int = 0  # dosed
    lookbacks: list[str] = field(default_factory=list)
    recalls: list[str] = field(default_factory=list)
    lineages: list[Lineage] = field(default_factory=list)

    def add(self, shape: Shape, lineage: Lineage) -> None:
        self.lineages.append(lineage)
        self.donors += 1
        self.vials += shape.bank_vials
        self.product_lots += len(lineage.made.product_lots)
        self.product_vials += len(lineage.made.product_vials)
        self.shipments += len(lineage.made.shipments)
        self.patients += len(lineage.made.patients)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"{self.events} events, {self.donors} donors, {self.vials} bank vials, "
            f"{self.product_lots} product lots, {self.product_vials} product vials, "
            f"{self.shipments} shipments, {self.patients} patients dosed, "
            f"{len(self.lookbacks)} look-backs, {len(self.recalls)} recalls in "
            f"{self.seconds:.1f} s ({self.rate:,.0f} events/s)"
        )


def small_shape(rng: random.Random) -> Shape:
    """A lineage of varied size. About two in three make one to three product lots; most
    lots ship some of their vials, and most shipments are given to a few patients."""
    product_vials = rng.choice([10, 20])
    return Shape(
        portions=rng.randint(1, 3),
        seed_vials=rng.randint(2, 4),
        master_vials=rng.randint(3, 10),
        working_banks=rng.randint(1, 3),
        working_vials=rng.choice([10, 20, 50, 100]),
        product_lots=rng.choice([0, 0, 1, 1, 2, 3]),
        product_vials=product_vials,
        shipped=rng.choice([0, 2, 4, product_vials // 2]),
        doses=rng.randint(0, 3),
    )


def big_shape(vials: int, per_bank: int = 1000, product_lots: int = 5) -> Shape:
    """One donor whose working banks hold at least `vials` vials in all, and whose last
    thawed vial makes `product_lots` lots of 20 vials, half of each shipped, 4 given."""
    banks = max(1, -(-vials // per_bank))
    return Shape(
        master_vials=banks + 1,
        working_banks=banks,
        working_vials=per_bank,
        product_lots=product_lots,
        product_vials=20,
        shipped=10,
        doses=4,
    )


__all__ = ["Lineage", "Shape", "Stats", "big_shape", "small_shape"]
