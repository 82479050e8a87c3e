"""How `celltrace verify --read-models` reports the read-model comparison (R-LED-7)."""

from __future__ import annotations

import typer

from ledger.read_model_audit import ReadModelReport


def read_models_json(report: ReadModelReport | None) -> dict[str, object]:
    if report is None:
        return {"compared": False, "reason": "the ledger itself did not verify"}
    return {
        "compared": True,
        "intact": report.intact,
        "position": report.position,
        "rows_compared": report.rows_compared,
        "differences": [
            {
                "table": d.table,
                "key": d.key,
                "items": d.items,
                "stored": d.stored,
                "expected": d.expected,
                "message": d.describe(),
            }
            for d in report.differences
        ],
    }


def print_read_models(report: ReadModelReport | None) -> None:
    if report is None:
        typer.echo("Read models: not compared, the ledger itself did not verify.")
        return
    if report.intact:
        typer.echo(
            f"Read models: {report.rows_compared} rows identical to those recomputed from the "
            f"events up to record {report.position} (where the stored read models are)."
        )
        return
    typer.echo(
        f"READ MODELS DIFFER FROM THE LEDGER: {len(report.differences)} of "
        f"{report.rows_compared} rows (events up to record {report.position}); what the API "
        "serves for these items is not what the events say. Rebuild the read models with "
        "`celltrace worker --rebuild --once` after securing the database."
    )
    for difference in report.differences:
        typer.echo(f"  {difference.describe()}")
