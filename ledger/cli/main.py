"""The `celltrace` command: init, verify, demo and the other contracts listed in DESIGN.md."""

from __future__ import annotations

import getpass
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger import logs
from ledger.cli.access import register_access
from ledger.cli.backup import register_backup
from ledger.cli.help import CleanTyper
from ledger.cli.personal import register_personal
from ledger.cli.printers import register_printers
from ledger.cli.reports import register_reports
from ledger.cli.transparency import register
from ledger.cli.users import register_users
from ledger.cli.verify import register_verify
from ledger.config import Settings, label_address_problem
from ledger.errors import InvalidInput, LedgerError, NotFound, Unreachable
from ledger.integrity.verify import LedgerReader
from ledger.storage.db import describe_database
from ledger.storage.reachability import database_failure, probe

if TYPE_CHECKING:
    from ledger.stores.access_log import AccessLog

EXIT_TAMPERING = 1  # verify's findings only
EXIT_USAGE = 2  # usage or input error, a refused command
EXIT_UNREACHABLE = 3  # the ledger's database or a service cannot be reached or used

app = CleanTyper(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="CellTrace: GMP traceability ledger for cell-component and cell-derivative therapies.",
    epilog="Exit codes: 0 success (verify: intact); 1 tampering found (verify only); "
    "2 usage or input error, or a refused command; 3 the ledger's database or a service "
    "cannot be reached or used (server down, wrong password, missing database, permission "
    "denied). Errors are one line on standard error.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"celltrace {installed_version()}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """CellTrace: GMP traceability ledger for cell-component and cell-derivative therapies."""


def installed_version() -> str:
    """The version of the installed `celltrace` package (the source tree's, if not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("celltrace")
    except PackageNotFoundError:
        return "unknown (not installed; run `pip install -e .`)"


def _existing_ledger() -> Settings:
    """Settings of a ledger that exists (an SQLite file must be there already): only `init`,
    `demo` and `generate` create a ledger, so a command started in the wrong directory
    refuses instead of creating a new, empty one."""
    settings = _settings()
    db = settings.database
    if db.backend == "sqlite" and (db.sqlite_path is None or not db.sqlite_path.exists()):
        typer.echo(
            f"error: no ledger at {db.sqlite_path}; run `celltrace init` (or `celltrace demo`, "
            "`celltrace generate`) "
            "or set CELLTRACE_DATA_DIR / CELLTRACE_DATABASE_URL",
            err=True,
        )
        raise typer.Exit(2)
    return settings


def _settings() -> Settings:
    """The settings of a ledger whose database answers (PostgreSQL is probed: exit 3 if not)."""
    settings = _parsed_settings()
    probe(settings)
    return settings


def _parsed_settings() -> Settings:
    """The settings from the environment; a bad setting is a usage error (exit 2)."""
    try:
        settings = Settings.from_env()
        settings.database  # noqa: B018 - parse now so a bad URL is a usage error
    except InvalidInput as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    logs.configure(settings.log_level, settings.log_format)
    return settings


@app.command()
def steps(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="A Markdown table (as in docs/steps.md).")
    ] = False,
) -> None:
    """The step registry: who records which step, trained how, signed how (R-PPL-2, R-LED-5)."""
    from ledger.commands.registry import STEPS, markdown_table

    if markdown:
        typer.echo(markdown_table())
        return
    rows = [rule.row() for rule in STEPS.values()]
    head = [h for h in rows[0] if h != "training"]  # the training is the step's own key
    widths = {h: max(len(h), *(len(r[h]) for r in rows)) for h in head}
    for row in [{h: h for h in head}, *rows]:
        typer.echo("  ".join(row[h].ljust(widths[h]) for h in head).rstrip())


@app.command()
def init(
    grant_to: Annotated[
        str | None,
        typer.Option(
            "--grant-to",
            metavar="ROLE",
            help="PostgreSQL: also grant ROLE exactly the privileges the application needs "
            "(serve, worker, verify, trace, users); run init as the owner role.",
        ),
    ] = None,
) -> None:
    """Create the database (PostgreSQL: if missing), its tables and the signing keys (safe to
    run again); refuses to give an existing ledger a second log key."""
    from ledger.bootstrap import init_ledger
    from ledger.storage.pg_setup import check_role
    from ledger.storage.schema import grant_to as grant_privileges

    settings = _parsed_settings()
    if grant_to is not None and settings.database.backend != "postgres":
        raise typer.BadParameter(
            "applies to PostgreSQL only (SQLite has no roles)", param_hint="--grant-to"
        )
    _ensure_database(settings)
    if grant_to is not None:
        check_role(settings.database, grant_to)
    result = init_ledger(settings)
    typer.echo(f"Ledger ready: {result.database}")
    for name, path in (("log", result.log_key), ("label", result.label_key)):
        state = "created" if f"{name}.key" in result.created_keys else "kept"
        typer.echo(f"{name.capitalize()} signing key ({state}): {path}")
    state = "created" if "report.key" in result.created_keys else "kept"
    typer.echo(
        f"Report signing key and certificate ({state}): {result.report_certificate} "
        "(publish it: `celltrace report certificate`)"
    )
    for key in result.recorded_keys:
        typer.echo(f"Log identity recorded in the database: {key}")
    if grant_to is not None:
        grant_privileges(settings, grant_to)
        typer.echo(f"Granted {grant_to} the application's privileges (docs/operations.md).")


@app.command()
def upgrade() -> None:
    """Bring the ledger's kept tables and the key store to this release's schema (numbered
    revisions, in one transaction each; safe to run again); on PostgreSQL run it as the owner."""
    from ledger.bootstrap import upgrade_ledger

    settings = _existing_ledger()
    result = upgrade_ledger(settings)
    for name, (before, after) in (
        ("Ledger tables", result.ledger),
        ("Key store", result.key_store),
    ):
        if before == after:
            typer.echo(f"{name}: at revision {after} already.")
        else:
            typer.echo(f"{name}: revision {before or '(none recorded)'} -> {after}.")
    typer.echo(
        f"Up to date: {describe_database(settings)}. Read models of an earlier release are "
        "rebuilt by the next `celltrace worker` (or `serve` on SQLite)."
    )


def _ensure_database(settings: Settings) -> None:
    """Create a missing PostgreSQL database (init and demo create the ledger)."""
    from ledger.storage.pg_setup import ensure_database

    db = settings.database
    if db.backend == "postgres" and ensure_database(db):
        typer.echo(f"Database {db.dbname} created on {db.host}:{db.port} (owner {db.user}).")


@contextmanager
def stop_requested() -> Iterator[threading.Event]:
    """An event set by Ctrl-C (SIGINT) or SIGTERM, for a loop that checks it and then stops
    in order. A KeyboardInterrupt raised inside a thread wait could leave that wait's lock
    taken and the shutdown waiting on it for ever."""
    stopping = threading.Event()

    def request(signum: int, frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopping
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
    from ledger.bootstrap import open_projections
    from ledger.cli.progress import CatchUpProgress
    from ledger.integrity.checkpoints import StoredCheckpoint
    from ledger.projections.runner import worker_lock

    settings = _existing_ledger()

    def waiting() -> None:
        typer.echo("Another celltrace worker is running; waiting for it to stop...", err=True)

    def signed(checkpoint: StoredCheckpoint) -> None:
        typer.echo(f"Checkpoint #{checkpoint.sequence} signed: {checkpoint.size} entries.")

    with worker_lock(settings, waiting):
        last = LedgerReader(settings.database).last_notification_id() or 0
        progress = CatchUpProgress(last, sys.stderr, tty=sys.stderr.isatty())
        projections = open_projections(
            settings, checkpoints=True, on_checkpoint=signed, on_progress=progress
        )
        if rebuild:
            projections.rebuild()
            typer.echo("Read models dropped; rebuilding from the first event.", err=True)
        running = f"Projections running on {describe_database(settings)}."
        with projections:
            progress.finish()
            if once:
                typer.echo(running)
                projections.wait(last or None, timeout=3600)
                typer.echo(f"Caught up: {projections.describe(last)}")
                return
            with stop_requested() as stopping:
                typer.echo(running)  # only now: a stop asked for from here on is honoured
                projections.run_forever(stop=stopping.is_set)
            typer.echo("Stopping.")


@app.command()
def trace(
    code: Annotated[
        str, typer.Argument(metavar="CODE", help="Item code (a scanned label URL works too).")
    ],
    down: Annotated[
        bool, typer.Option("--down", help="Trace forward to every descendant.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print {nodes, edges} as JSON.")] = False,
) -> None:
    """Genealogy of an item: up to its donors (default) or down to every vial and patient."""
    from ledger.bootstrap import bring_up_to_date, open_ledger
    from ledger.identifiers import parse_code
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
    app = open_ledger(settings)
    try:
        app.mark_quality_events(graph.nodes.values())  # open deviations, OOS (R-QMS-3)
    finally:
        app.close()
    typer.echo(json.dumps(graph.as_json(), indent=2) if as_json else render_tree(graph))


@app.command()
def label(
    code: Annotated[
        str, typer.Argument(metavar="CODE", help="Item code (a scanned label URL works too).")
    ],
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="png, svg, pdf or zpl.")
    ] = "png",
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="File to write (default: CODE.FORMAT)."),
    ] = None,
    dpi: Annotated[
        int | None, typer.Option(metavar="DPI", help="PNG or Zebra printer resolution.")
    ] = None,
    reason: Annotated[
        str, typer.Option(metavar="TEXT", help="Why a label printed before is printed again.")
    ] = "",
) -> None:
    """Write the signed QR label of one item (R-ID-2); the print is recorded in the access
    log, and a reprint needs --reason (R-ACC-2)."""
    from label_printing.cli import RenderOptions, file_name, load_signer, write_label
    from ledger.bootstrap import open_ledger
    from ledger.labels import label_content

    settings = _existing_ledger()
    ledger = open_ledger(settings)
    try:
        content = label_content(ledger, code)
    finally:
        ledger.close()
    log = _access_log(settings)
    try:
        log.check_reprint([str(content.code)], reason, "--reason")
        target = out or Path(file_name(content.code, fmt.lower()))
        path = write_label(
            content, fmt, target, load_signer(settings), settings.base_url, RenderOptions(dpi=dpi)
        )
        _record_prints(
            log, {str(content.code): path.read_bytes()}, f"celltrace label {code}", reason
        )
    finally:
        log.engine.dispose()
    typer.echo(f"Label of {content.code} written to {path}")


@app.command()
def labels(
    lot: Annotated[
        str,
        typer.Option("--lot", metavar="CODE", help="Fill run: a cell bank or product lot code."),
    ],
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="pdf (a label sheet) only.")
    ] = "pdf",
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="PDF file to write.")
    ] = None,
    reason: Annotated[
        str, typer.Option(metavar="TEXT", help="Why labels printed before are printed again.")
    ] = "",
    reconcile: Annotated[
        bool,
        typer.Option(
            "--reconcile",
            help="Print nothing: list each item's label prints and reprints instead.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --reconcile: JSON.")] = False,
) -> None:
    """Write a PDF sheet with the labels of every item of a fill run (e.g. every vial, or a
    blinded study's kits); each label is recorded in the access log as printed (R-ACC-2).
    With --reconcile, write nothing: list, from the access log, how many times each item's
    label was printed, the reprints with their reasons, by whom and on which printer or file,
    the items never labelled and the totals."""
    from label_printing.cli import load_signer, write_sheet
    from ledger.bootstrap import open_ledger
    from ledger.labels import children_labels

    if reconcile:
        _reconcile(lot, as_json)
        return
    if fmt.lower() != "pdf":
        raise typer.BadParameter("label sheets are PDF; use `celltrace label` for one label")
    settings = _existing_ledger()
    ledger = open_ledger(settings)
    try:
        contents = children_labels(ledger, lot)
    finally:
        ledger.close()
    codes = [str(c.code) for c in contents]
    log = _access_log(settings)
    try:
        log.check_reprint(codes, reason, "--reason")
        target = out or Path(f"{lot.strip().upper()}-labels.pdf")
        path = write_sheet(contents, target, load_signer(settings), settings.base_url)
        sheet = path.read_bytes()
        _record_prints(log, dict.fromkeys(codes, sheet), f"celltrace labels --lot {lot}", reason)
    finally:
        log.engine.dispose()
    typer.echo(f"{len(contents)} labels written to {path}")


def _reconcile(lot: str, as_json: bool) -> None:
    from ledger.bootstrap import open_ledger
    from ledger.cli.label_report import reconciliation_lines
    from ledger.printing import reconcile

    settings = _existing_ledger()
    ledger, log = open_ledger(settings), _access_log(settings)
    try:
        found = reconcile(ledger, log, lot)
    finally:
        ledger.close()
        log.engine.dispose()
    for line in reconciliation_lines(found, as_json):
        typer.echo(line)


def _access_log(settings: Settings) -> AccessLog:
    from ledger.storage.db import create_db_engine
    from ledger.stores.access_log import AccessLog as Log

    log = Log(create_db_engine(settings))
    log.create_tables()
    return log


def _record_prints(log: AccessLog, printed: dict[str, bytes], via: str, reason: str) -> None:
    """Prints from the command line are the operating-system user's (R-ACC-2)."""
    from ledger.core import utc_now

    who = f"local:{getpass.getuser()}"
    log.record_prints(utc_now(), who, "command line", printed, via, reason)


@app.command()
def serve(
    host: Annotated[str, typer.Option(metavar="HOST", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8000,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Also print uvicorn's line per HTTP request (off by default; reads of "
            "records are always recorded in the ledger's access log, R-ACC-2).",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            metavar="N",
            min=1,
            help="PostgreSQL: N server processes on one port (the worker keeps the read "
            "models); SQLite: 1.",
        ),
    ] = 1,
) -> None:
    """Run the HTTP API and web pages (projections run in-process on SQLite)."""
    from ledger.api.app import create_app
    from ledger.api.serving import run, run_workers
    from ledger.stores.credentials import hashing_profile

    settings = _existing_ledger()  # never a new, empty ledger in the wrong directory
    if workers > 1 and settings.database.backend == "sqlite":
        raise typer.BadParameter(
            "several server processes need PostgreSQL: on SQLite the server also keeps the "
            "read models, which only one process may do; use --workers 1",
            param_hint="--workers",
        )
    typer.echo(
        f"CellTrace API on http://{host}:{port}/docs - ledger: {describe_database(settings)}"
    )
    elsewhere = label_address_problem(settings.base_url, host, port)
    if elsewhere:
        typer.echo(f"WARNING: {elsewhere}", err=True)
    if hashing_profile() == "cheapest":
        typer.echo(
            "WARNING: CELLTRACE_PASSWORD_HASHING=cheapest: passwords set now are "
            "easy to guess from a copy of the database; unset it outside tests",
            err=True,
        )
    if workers > 1:
        run_workers(workers, host, port, access_log=access_log)
    else:
        run(create_app(settings), host, port, access_log=access_log)


register(app, _settings, _existing_ledger)
register_users(app, _existing_ledger)
register_printers(app, _existing_ledger)
register_verify(app, _existing_ledger)
register_personal(app, _existing_ledger)
register_access(app, _existing_ledger)
register_reports(app, _existing_ledger)
register_backup(app, _existing_ledger, _settings)


@app.command()
def demo(
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Replace the ledger of an earlier demo in the data directory (never a ledger "
            "the demo did not create).",
        ),
    ] = False,
) -> None:
    """Record a realistic history in a new ledger and verify it (refused on a ledger that
    already holds events, before anything is written)."""
    from ledger.demo.ledger import prepare_demo_ledger
    from ledger.demo.run import run_demo

    settings = _parsed_settings()
    _ensure_database(settings)
    prepare_demo_ledger(settings, fresh=fresh)
    run_demo(settings, typer.echo)
    _demo_labels(settings)


@app.command()
def generate(
    events: Annotated[
        int,
        typer.Option(
            "--events", metavar="N", help="Record until the ledger holds at least N events."
        ),
    ] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="The same seed gives the same history.")
    ] = 7,
    append: Annotated[
        bool,
        typer.Option(
            "--append",
            help="Add to a ledger that already holds events (a test or demo ledger only: "
            "recorded events can never be removed).",
        ),
    ] = False,
) -> None:
    """Record a realistic generated history (donors to dosed patients) into a new ledger.

    Every step goes through the ledger's own commands, so every GMP rule applies.

    A ledger that already holds events is refused (exit 2) unless --append is given.
    """
    from ledger.bootstrap import init_ledger

    if events < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--events")
    from ledger.generator import generate as generate_history
    from ledger.integrity.verify import LedgerReader

    settings = _settings()
    init_ledger(settings)
    held = LedgerReader(settings.database).last_notification_id() or 0
    if held and not append:
        typer.echo(
            f"error: the ledger at {describe_database(settings)} already holds {held} events; "
            "generated history goes into a new ledger: set CELLTRACE_DATA_DIR (or "
            "CELLTRACE_DATABASE_URL) to a new one, or pass --append for a test ledger",
            err=True,
        )
        raise typer.Exit(2)
    stats = generate_history(
        settings, events, seed=seed, echo=lambda line: typer.echo(line, err=True)
    )
    typer.echo(f"Generated {stats.summary()}.")
    typer.echo(f"Ledger: {describe_database(settings)}")
    if stats.lineages:
        donor = stats.lineages[0].donor
        typer.echo(
            f"Check it with `celltrace verify`; trace a donor: `celltrace trace {donor} --down`"
        )


def _demo_labels(settings: Settings) -> None:
    """Write the labels of every vial the ledger holds, as the demo's last step."""
    from sqlalchemy import select

    from ledger.bootstrap import bring_up_to_date, open_ledger
    from ledger.labels import write_vial_labels
    from ledger.projections.items import items_table
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
        typer.echo(
            f"Their QR codes open {settings.base_url}/v/...: run `celltrace serve` there, or "
            "set CELLTRACE_BASE_URL before the demo to the address people reach the server at"
        )


def main() -> None:
    """Entry point, and the one place exceptions become exit codes: one line on standard error
    instead of a traceback; 3 when the database cannot be reached or used, 2 for a refusal.
    Exit 1 (tampering) comes only from the verification commands' own findings."""
    try:
        app()
    except Exception as exc:
        failure = exc if isinstance(exc, LedgerError) else _database_failure(exc)
        if failure is None:
            raise
        if isinstance(failure, Unreachable):
            typer.echo(f"error: {failure.detail}", err=True)
            sys.exit(EXIT_UNREACHABLE)
        prefix = "error" if isinstance(failure, (InvalidInput, NotFound)) else "refused"
        typer.echo(f"{prefix}: {failure.detail}", err=True)
        sys.exit(EXIT_USAGE)


def _database_failure(exc: Exception) -> LedgerError | None:
    try:
        db = Settings.from_env().database
    except InvalidInput:
        return None
    return database_failure(exc, db)
