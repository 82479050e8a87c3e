"""Realistic generated history for `celltrace generate`, the benchmarks and the trace tests:
lineages from donors to dosed patients recorded through the ledger's own commands."""

from ledger.generator.lineages import SERUM, Generator, generate
from ledger.generator.mix import Lineage, Shape, Stats, big_shape, small_shape

__all__ = [
    "SERUM",
    "Generator",
    "Lineage",
    "Shape",
    "Stats",
    "big_shape",
    "generate",
    "small_shape",
]
