"""`celltrace verify`: the ledger, its Merkle log and checkpoints, optionally its read models
(R-LED-3, R-LED-4, R-LED-7, R-LED-9); exit 0 intact, 1 tampering, 2 usage, 3 unreachable."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.transparency import KeysOption, log_audit, report_json
from ledger.config import Settings
from ledger.integrity.verify import KeptHead, LedgerReader, LogAudit, Report, verify_database
from ledger.storage.db import describe_database

if TYPE_CHECKING:
    from ledger.read_model_audit import ReadModelReport


def register_verify(app: typer.Typer, existing_ledger: Callable[[], Settings]) -> None:
    """Add `verify` to `app`."""

    @app.command()
    def verify(
        chain_head: Annotated[
            str | None,
            typer.Option(
                "--chain-head",
                metavar="N:HEX",
                help="A chain head you kept earlier (N:HEX as printed by verify, or HEX); "
                "verification fails if the ledger no longer contains it.",
            ),
        ] = None,
        checkpoint: Annotated[
            Path | None,
            typer.Option(
                "--checkpoint",
                metavar="FILE",
                help="A signed checkpoint you kept earlier (as `celltrace checkpoint` prints it); "
                "verification fails if the ledger no longer extends it.",
            ),
        ] = None,
        keys: KeysOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
        read_models: Annotated[
            bool,
            typer.Option(
                "--read-models",
                help="Also recompute the read models (items, timelines, genealogy) from the events "
                "and report every stored row that differs: what the API serves is what the "
                "ledger says.",
            ),
        ] = False,
    ) -> None:
        """Recompute every hash, chain and checkpoint root.

        Exit 0 intact, 1 tampering, 2 usage, 3 the ledger cannot be reached or read.
        """
        kept: KeptHead | None = None
        if chain_head is not None:
            try:
                kept = KeptHead.parse(chain_head)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--chain-head") from None
        settings = existing_ledger()
        with _reaching_the_ledger(settings):
            audit, trusted = log_audit(settings, keys, checkpoint)
            report = _run_verification(
                settings, kept, audit, show_progress=sys.stderr.isatty() and not as_json
            )
        caveat = _unanchored(report) if kept is None and audit.kept_checkpoint is None else None
        with _reaching_the_ledger(settings):
            models = (
                _audit_read_models(
                    settings, report, show_progress=sys.stderr.isatty() and not as_json
                )
                if read_models
                else None
            )
        if as_json:
            extra: dict[str, object] = {
                "caveat": caveat,
                "trusted_log_keys": {
                    "source": trusted.source,
                    "keys": [key.key_string() for key in trusted.keys],
                },
            }
            if read_models:
                from ledger.cli.read_models import read_models_json

                extra["read_models"] = read_models_json(models)
            typer.echo(json.dumps(report_json(report) | extra, indent=2))
        else:
            typer.echo(trusted.describe())
            _print_report(settings, report)
            if caveat is not None:
                typer.echo(f"Note: {caveat}")
            if read_models:
                from ledger.cli.read_models import print_read_models

                print_read_models(models)
        raise typer.Exit(0 if report.intact and (models is None or models.intact) else 1)


@contextmanager
def _reaching_the_ledger(settings: Settings) -> Iterator[None]:
    """A database that cannot be reached or read is exit 3 with a sentence, never exit 1 or a
    traceback: it proves nothing about tampering."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except (sqlite3.DatabaseError, psycopg.OperationalError, DBAPIError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        typer.echo(
            f"error: cannot read the ledger ({describe_database(settings)}): {first}. Check "
            "CELLTRACE_DATABASE_URL, the server and the password; an SQLite file that is not "
            "a database is damaged: restore it from a verified backup.",
            err=True,
        )
        raise typer.Exit(3) from None


def _audit_read_models(
    settings: Settings, report: Report, *, show_progress: bool
) -> ReadModelReport | None:
    """The read-model comparison, only over a ledger that verified (else None)."""
    from ledger.read_model_audit import audit_read_models

    if not report.intact:
        return None
    if not show_progress:
        return audit_read_models(settings)
    with typer.progressbar(length=report.events, label="Read models", file=sys.stderr) as bar:
        return audit_read_models(settings, progress=bar.update)


def _unanchored(report: Report) -> str | None:
    """What an intact result without a chain head or checkpoint kept outside cannot prove."""
    if not report.intact:
        return None
    if report.events == 0:
        return (
            "the ledger is empty. Without a chain head or checkpoint kept outside the system "
            "nothing can be proven about earlier history: if it ever held events, they were "
            "removed. Verify with --chain-head N:HEX or --checkpoint FILE."
        )
    own = (
        "and with the ledger's own signed checkpoints"
        if report.checkpoints
        else "(the ledger holds no signed checkpoint)"
    )
    return (
        f"no chain head or checkpoint kept outside the system was given: this proves the "
        f"{report.events} stored events are consistent with each other {own}, not that no "
        "events were removed after them or that this is not an older copy. Verify with "
        "--chain-head N:HEX or --checkpoint FILE."
    )


def _run_verification(
    settings: Settings, kept: KeptHead | None, audit: LogAudit, *, show_progress: bool
) -> Report:
    if not show_progress:
        return verify_database(settings.database, kept_head=kept, log=audit)
    total = LedgerReader(settings.database).count()
    with typer.progressbar(length=total, label="Verifying", file=sys.stderr) as bar:
        return verify_database(settings.database, kept_head=kept, progress=bar.update, log=audit)


def _print_report(settings: Settings, report: Report) -> None:
    typer.echo(f"Ledger: {describe_database(settings)}")
    if report.first_break is not None:
        typer.echo(f"TAMPERING DETECTED: {report.first_break.describe()}")
        typer.echo(f"{report.events} events verified before the first break.")
        return
    typer.echo(f"Intact: {report.events} events verified (event hashes, aggregate links, chain).")
    typer.echo(
        f"Merkle log: the root recomputed from the ledger matches {report.checkpoints} signed "
        f"checkpoint{'' if report.checkpoints == 1 else 's'}."
    )
    if report.merkle_root is not None:
        typer.echo(f"Merkle root at size {report.events}: {report.merkle_root.hex()}")
    if report.head is not None:
        typer.echo(f"Chain head: {report.head}")
        typer.echo(
            "Keep this chain head outside the system; "
            f"`celltrace verify --chain-head {report.head}` later proves nothing before it "
            "was altered, removed or re-hashed."
        )
