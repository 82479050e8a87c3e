"""Generated ledgers for the benchmarks and the trace tests: a thin command over
`ledger.generator` (also `celltrace generate`), which records donors to dosed patients
through the ledger's own commands.

    python -m bench.generate --events 100000 [--db PATH] [--seed N] [--big-vials N]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ledger.config import Settings
from ledger.generator import SERUM, Generator, Lineage, Shape, Stats, big_shape, generate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=Path("celltrace-data/generated/ledger.db"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--big-vials",
        type=int,
        default=0,
        help="first donor gets this many working-bank vials (and five product lots)",
    )
    args = parser.parse_args(argv)
    db = args.db.resolve()
    settings = Settings(data_dir=db.parent, database_url=f"sqlite:///{db}")
    big = big_shape(args.big_vials) if args.big_vials else None
    stats = generate(settings, args.events, seed=args.seed, big=big, echo=print)
    print(f"{stats.summary()} -> {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["SERUM", "Generator", "Lineage", "Shape", "Stats", "big_shape", "generate", "main"]
