"""`celltrace reapply-erasures`: after restoring a personal-data key store backup, destroy
again every key whose erasure the ledger records (R-LED-8, docs/operations.md)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from ledger.config import Settings


def register_personal(app: typer.Typer, settings_of: Callable[[], Settings]) -> None:
    """Add `reapply-erasures` to `app`."""

    @app.command("reapply-erasures")
    def reapply_erasures() -> None:
        """Erase again every identity the ledger says was erased (run after a key store restore)."""
        from ledger.bootstrap import open_ledger

        ledger = open_ledger(settings_of())
        try:
            codes = ledger.reapply_identity_erasures()
        finally:
            ledger.close()
        for code in codes:
            typer.echo(f"Erased again: the identity of {code} (its key had come back).")
        typer.echo(f"{len(codes)} erased identit{'y' if len(codes) == 1 else 'ies'} re-applied.")
