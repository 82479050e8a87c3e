"""The `celltrace` command: init, verify, demo and the other contracts listed in DESIGN.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ledger.bootstrap import describe_database, init_ledger, open_ledger
from ledger.cli_access import register_access
from ledger.cli_transparency import KeysOption, log_audit, register
from ledger.cli_users import register_users
from ledger.config import Settings
from ledger.errors import InvalidInput, LedgerError, NotFound
from ledger.integrity.verify import KeptHead, LedgerReader, LogAudit, Report, verify_database

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="CellTrace: GMP traceability ledger for cell-component and cell-derivative therapies.",
)


def _existing_ledger() -> Settings:
    """Settings of a ledger that exists (an SQLite file must be there already)."""
    settings = _settings()
    db = settings.database
    if db.backend == "sqlite" and (db.sqlite_path is None or not db.sqlite_path.exists()):
        typer.echo(
            f"error: no ledger at {db.sqlite_path}; run `celltrace init` (or `celltrace demo`) "
            "or set CELLTRACE_DATA_DIR / CELLTRACE_DATABASE_URL",
            err=True,
        )
        raise typer.Exit(2)
    return settings


def _settings() -> Settings:
    settings = Settings.from_env()
    try:
        settings.database  # noqa: B018 - parse now so a bad URL is a usage error
    except InvalidInput as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    return settings


@app.command()
def init() -> None:
    """Create the database, its tables and the signing keys (safe to run again)."""
    settings = _settings()
    result = init_ledger(settings)
    typer.echo(f"Ledger ready: {result.database}")
    for name in ("log", "label"):
        path = result.log_key if name == "log" else result.label_key
        state = "created" if f"{name}.key" in result.created_keys else "kept"
        typer.echo(f"{name.capitalize()} signing key ({state}): {path}")


@app.command()
def verify(
    chain_head: Annotated[
        str | None,
        typer.Option(
            "--chain-head",
            help="A chain head you kept earlier (N:HEX as printed by verify, or HEX); "
            "verification fails if the ledger no longer contains it.",
        ),
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="A signed checkpoint you kept earlier (as `celltrace checkpoint` prints it); "
            "verification fails if the ledger no longer extends it.",
        ),
    ] = None,
    keys: KeysOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Recompute every hash, chain and checkpoint root. Exit 0 intact, 1 tampering, 2 usage."""
    kept: KeptHead | None = None
    if chain_head is not None:
        try:
            kept = KeptHead.parse(chain_head)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--chain-head") from None
    settings = _existing_ledger()
    audit = log_audit(settings, keys, checkpoint)
    report = _run_verification(
        settings, kept, audit, show_progress=sys.stderr.isatty() and not as_json
    )
    if as_json:
        typer.echo(json.dumps(_report_json(report), indent=2))
    else:
        _print_report(settings, report)
    raise typer.Exit(0 if report.intact else 1)


def _run_verification(
    settings: Settings, kept: KeptHead | None, audit: LogAudit, *, show_progress: bool
) -> Report:
    if not show_progress:
        return verify_database(settings.database, kept_head=kept, log=audit)
    total = LedgerReader(settings.database).count()
    with typer.progressbar(length=total, label="Verifying", file=sys.stderr) as bar:
        return verify_database(settings.database, kept_head=kept, progress=bar.update, log=audit)


def _report_json(report: Report) -> dict[str, object]:
    brk = report.first_break
    return {
        "intact": report.intact,
        "events_verified": report.events,
        "chain_head": str(report.head) if report.head else None,
        "checkpoints_verified": report.checkpoints,
        "merkle_root": report.merkle_root.hex() if report.merkle_root else None,
        "break": None
        if brk is None
        else {
            "kind": brk.kind,
            "notification_id": brk.notification_id,
            "originator_id": brk.originator_id,
            "originator_version": brk.originator_version,
            "message": brk.message,
        },
    }


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


@app.command()
def worker(
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Drop every read model and rebuild it from the ledger."),
    ] = False,
    once: Annotated[
        bool, typer.Option("--once", help="Catch up with the ledger as it is now, then exit.")
    ] = False,
) -> None:
    """Maintain the read models and the Merkle log, signing checkpoints; one per deployment."""
    from ledger.integrity.checkpoints import StoredCheckpoint
    from ledger.integrity.verify import LedgerReader
    from ledger.projections.runner import Projections, worker_lock

    settings = _settings()

    def waiting() -> None:
        typer.echo("Another celltrace worker is running; waiting for it to stop...", err=True)

    def signed(checkpoint: StoredCheckpoint) -> None:
        typer.echo(f"Checkpoint #{checkpoint.sequence} signed: {checkpoint.size} entries.")

    with worker_lock(settings, waiting):
        projections = Projections(settings, checkpoints=True, on_checkpoint=signed)
        if rebuild:
            projections.rebuild()
            typer.echo("Read models dropped; rebuilding from the first event.")
        target = LedgerReader(settings.database).last_notification_id() if once else None
        with projections:
            typer.echo(f"Projections running on {describe_database(settings)}.")
            if once:
                projections.wait(target, timeout=3600)
                typer.echo(f"Caught up to notification {target}: {projections.positions()}")
                return
            try:
                projections.run_forever()
            except KeyboardInterrupt:
                typer.echo("Stopping.")


@app.command()
def trace(
    code: Annotated[str, typer.Argument(help="Item code (a scanned label URL works too).")],
    down: Annotated[
        bool, typer.Option("--down", help="Trace forward to every descendant.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print {nodes, edges} as JSON.")] = False,
) -> None:
    """Genealogy of an item: up to its donors (default) or down to every vial and patient."""
    from ledger.identifiers import parse_code
    from ledger.projections.runner import bring_up_to_date
    from ledger.projections.trace import render_tree
    from ledger.projections.trace import trace as trace_graph
    from ledger.projections.tracking import view_engine

    settings = _existing_ledger()
    parsed = str(parse_code(code))
    bring_up_to_date(settings)
    engine = view_engine(settings)
    try:
        graph = trace_graph(engine, parsed, "down" if down else "up")
    finally:
        engine.dispose()
    if parsed not in graph.nodes:
        typer.echo(f"error: {parsed} is not recorded in this ledger", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps(graph.as_json(), indent=2) if as_json else render_tree(graph))


@app.command()
def label(
    code: Annotated[str, typer.Argument(help="Item code (a scanned label URL works too).")],
    fmt: Annotated[str, typer.Option("--format", help="png, svg, pdf or zpl.")] = "png",
    out: Annotated[Path | None, typer.Option("--out", help="File to write.")] = None,
    dpi: Annotated[int | None, typer.Option(help="PNG or Zebra printer resolution.")] = None,
) -> None:
    """Write the signed QR label of one item (R-ID-2)."""
    from label_printing.cli import RenderOptions, file_name, load_signer, write_label
    from label_printing.from_ledger import label_content

    settings = _existing_ledger()
    ledger = open_ledger(settings)
    try:
        content = label_content(ledger, code)
    finally:
        ledger.close()
    target = out or Path(file_name(content.code, fmt.lower()))
    path = write_label(
        content, fmt, target, load_signer(settings), settings.base_url, RenderOptions(dpi=dpi)
    )
    typer.echo(f"Label of {content.code} written to {path}")


@app.command()
def labels(
    lot: Annotated[str, typer.Option("--lot", help="Fill run: a cell bank or product lot code.")],
    fmt: Annotated[str, typer.Option("--format", help="pdf (a label sheet) only.")] = "pdf",
    out: Annotated[Path | None, typer.Option("--out", help="PDF file to write.")] = None,
) -> None:
    """Write a PDF sheet with the labels of every item of a fill run (e.g. every vial)."""
    from label_printing.cli import load_signer, write_sheet
    from label_printing.from_ledger import children_labels

    if fmt.lower() != "pdf":
        raise typer.BadParameter("label sheets are PDF; use `celltrace label` for one label")
    settings = _existing_ledger()
    ledger = open_ledger(settings)
    try:
        contents = children_labels(ledger, lot)
    finally:
        ledger.close()
    target = out or Path(f"{lot.strip().upper()}-labels.pdf")
    path = write_sheet(contents, target, load_signer(settings), settings.base_url)
    typer.echo(f"{len(contents)} labels written to {path}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the HTTP API and web pages (projections run in-process on SQLite)."""
    import uvicorn

    from ledger.api.app import create_app

    settings = _settings()
    if settings.database.backend == "sqlite":
        init_ledger(settings)
    typer.echo(
        f"CellTrace API on http://{host}:{port}/docs - ledger: {describe_database(settings)}"
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


register(app, _settings)
register_users(app, _settings)
register_access(app, _existing_ledger)


@app.command()
def demo() -> None:
    """Record a realistic history in the configured ledger and verify it."""
    from ledger.demo import run_demo

    settings = _settings()
    run_demo(settings, typer.echo)
    _demo_labels(settings)


def _demo_labels(settings: Settings) -> None:
    """Write the labels of every vial the ledger holds, as the demo's last step."""
    from sqlalchemy import select

    from label_printing.from_ledger import write_vial_labels
    from ledger.projections.items import items_table
    from ledger.projections.runner import bring_up_to_date
    from ledger.projections.tracking import view_engine

    bring_up_to_date(settings)
    engine = view_engine(settings)
    try:
        with engine.connect() as conn:
            codes = list(
                conn.execute(
                    select(items_table.c.code)
                    .where(items_table.c.item_type.in_(("BVL", "PVL")))
                    .order_by(items_table.c.code)
                ).scalars()
            )
    finally:
        engine.dispose()
    ledger = open_ledger(settings)
    try:
        files = write_vial_labels(ledger, codes, settings.data_dir / "labels")
    finally:
        ledger.close()
    if files:
        typer.echo(
            f"Labels: {len(files) - 1} signed QR labels (PNG) and a PDF sheet written to "
            f"{settings.data_dir / 'labels'}"
        )


def main() -> None:
    """Entry point: domain refusals print one clear line instead of a traceback."""
    try:
        app()
    except (InvalidInput, NotFound) as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        sys.exit(2)

    except LedgerError as exc:
        typer.echo(f"refused: {exc.detail}", err=True)
        sys.exit(1)
