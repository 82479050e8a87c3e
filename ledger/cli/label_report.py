"""How `celltrace labels --lot CODE --reconcile` reports a fill run's labels (R-ACC-2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict

from ledger.printing import LabelPrint, LabelReconciliation


def reconciliation_lines(found: LabelReconciliation, as_json: bool) -> Iterator[str]:
    """The report as text lines (or one JSON document): totals, then one line per item and
    one per print."""
    totals = found.totals()
    if as_json:
        body = {
            "fill_run": found.fill_run,
            "totals": totals,
            "never_labelled": found.never_labelled(),
            "vials": [
                {**asdict(v), "printed": len(v.prints), "prints": [asdict(p) for p in v.prints]}
                for v in found.vials
            ],
        }
        yield json.dumps(body, indent=2)
        return
    yield (
        f"{found.fill_run}: filled {totals['filled']}, labelled {totals['labelled']}, never "
        f"labelled {totals['never_labelled']}, reprinted {totals['reprinted']} "
        f"({totals['prints']} prints), destroyed {totals['destroyed']} "
        f"({totals['destroyed_labelled']} with labels)"
    )
    for vial in found.vials:
        destroyed = ", destroyed" if vial.destroyed else ""
        yield f"{vial.code}  printed {len(vial.prints)}{destroyed}"
        for number, printed in enumerate(vial.prints):
            yield f"  {'reprint' if number else 'print  '} {_print(printed)}"
    if found.never_labelled():
        yield f"Never labelled: {', '.join(found.never_labelled())}"


def _print(printed: LabelPrint) -> str:
    where = f"printer {printed.printer}" if printed.printer else f"file ({printed.via})"
    reason = f' reason "{printed.reason}"' if printed.reason else ""
    return f"{printed.at[:19]} {printed.person} ({printed.role}) {where}{reason}"
