"""Run the benchmarks and update docs/benchmarks.md (`make bench`): all of them, or those named
(`python -m bench api projections`; names: append, labels, transparency, api, projections,
conflicts, lists, merkle, trace, commands, pgappend, verify, catchup; `--quick` makes
those that know it a spot check under a minute).

BENCH_LEAVES=50000 shortens the transparency-log run; the genealogy benchmark reuses the
1,000,000-event ledger in celltrace-data/generated/ once generated (about 10 minutes on a quiet
machine), and so do the item lists.
CELLTRACE_BENCH_NOTE describes the machine's load in the API section.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import (
    api,
    append,
    catchup,
    commands,
    conflicts,
    labels,
    lists,
    merkle,
    pgappend,
    projections,
    trace,
    transparency,
    verify,
)

BENCHMARKS: dict[str, Callable[[], None]] = {
    "append": append.main,
    "labels": lambda: labels.main(FLAGS),
    "transparency": transparency.main,
    "api": lambda: api.main(FLAGS),
    "projections": lambda: projections.main([]),
    "conflicts": conflicts.main,
    "lists": lambda: lists.main([]),
    "merkle": lambda: merkle.main(FLAGS),
    "trace": lambda: trace.main(FLAGS),
    "commands": lambda: commands.main(FLAGS),
    "pgappend": lambda: pgappend.main(FLAGS),
    "verify": lambda: verify.main(FLAGS),
    "catchup": lambda: catchup.main(FLAGS),
}

FLAGS = [arg for arg in sys.argv[1:] if arg.startswith("--")]
"""Options such as ``--quick`` (a spot check), passed to the benchmarks that take them."""

if __name__ == "__main__":
    names = [arg for arg in sys.argv[1:] if not arg.startswith("--")] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    for name in names:
        BENCHMARKS[name]()
