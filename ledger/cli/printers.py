"""`celltrace printers ...`: register, list, change and retire the label printers from the
server console (R-ID-2); each change is recorded in the access log as the operating-system user
(`local:<user>`, role `command line`), as label prints from the command line are (R-ACC-2)."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import typer

from ledger.cli.help import CleanTyper
from ledger.config import Settings
from ledger.stores.printers import CONSOLE, Printer, Printers

Address = Annotated[
    str,
    typer.Option(
        metavar="HOST[:PORT]",
        help="The printer's raw port, e.g. 10.20.1.15:9100 (port 9100 when left out).",
    ),
]
Dpi = Annotated[int, typer.Option(metavar="DPI", help="203, 300 or 600.")]
Stock = Annotated[
    str, typer.Option(metavar="TEXT", help="The label stock loaded, e.g. 'cryo 38x19 mm'.")
]
Name = Annotated[str, typer.Argument(metavar="NAME", help="The printer's name.")]
Reason = Annotated[str, typer.Option(metavar="TEXT", help="Why (recorded in the access log).")]


def register_printers(app: typer.Typer, settings_of: Callable[[], Settings]) -> None:
    """Add the `printers` command group to `app`."""
    group = CleanTyper(no_args_is_help=True, help="Label printers (Zebra, raw TCP 9100).")
    app.add_typer(group, name="printers")

    @group.command("add")
    def printers_add(name: Name, address: Address, dpi: Dpi, stock: Stock) -> None:
        """Register a label printer; a name is never reused."""
        with _registry(settings_of()) as printers:
            printer = printers.register(*_who(), _via("add", name), (name, address, dpi, stock))
        typer.echo(f"Printer {_line(printer)} registered")

    @group.command("list")
    def printers_list(
        retired: Annotated[bool, typer.Option("--retired", help="Also list retired ones.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """The registered printers (in service; with --retired also the retired ones)."""
        with _registry(settings_of()) as printers:
            found, unrecorded = printers.registered(retired), printers.unrecorded()
        if as_json:
            rows = [{**_json(p), "recorded": p.name not in unrecorded} for p in found]
            typer.echo(json.dumps(rows, indent=2))
            return
        for printer in found:
            state = "in service" if printer.in_service else f"retired {printer.retired_at}"
            warning = "  NOT AS RECORDED IN THE ACCESS LOG" if printer.name in unrecorded else ""
            typer.echo(f"{_line(printer)}  ({state}){warning}")
        if not found:
            typer.echo("No printers registered; add one with `celltrace printers add`.")

    @group.command("change")
    def printers_change(
        name: Name,
        reason: Reason,
        address: Annotated[
            str | None, typer.Option(metavar="HOST[:PORT]", help="A new address.")
        ] = None,
        dpi: Annotated[int | None, typer.Option(metavar="DPI", help="A new resolution.")] = None,
        stock: Annotated[str | None, typer.Option(metavar="TEXT", help="New stock.")] = None,
    ) -> None:
        """Change a printer's address, resolution or stock, with the reason."""
        with _registry(settings_of()) as printers:
            printer = printers.change(
                *_who(),
                _via("change", name),
                name,
                reason,
                address=address,
                dpi=dpi,
                stock=stock,
            )
        typer.echo(f"Printer {_line(printer)} changed")

    @group.command("retire")
    def printers_retire(name: Name, reason: Reason) -> None:
        """Take a printer out of service for good (it stays listed; its name is not reused)."""
        with _registry(settings_of()) as printers:
            printer = printers.retire(*_who(), _via("retire", name), name, reason)
        typer.echo(f"Printer {printer.name} retired: {printer.retired_reason}")


@contextmanager
def _registry(settings: Settings) -> Iterator[Printers]:
    """The registry; a refusal (a rule, an unknown printer) is one line on stderr naming the
    rule and what to do, exit 2, with nothing written."""
    from ledger.errors import InvalidInput, LedgerError, NotFound
    from ledger.storage.db import create_db_engine
    from ledger.stores.access_log import AccessLog

    engine = create_db_engine(settings)
    log = AccessLog(engine)
    log.create_tables()
    printers = Printers(engine, log)
    printers.create_tables()
    try:
        yield printers
    except LedgerError as exc:
        prefix = "error" if isinstance(exc, InvalidInput | NotFound) else "refused"
        typer.echo(f"{prefix}: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()


def _who() -> tuple[datetime, str, str]:
    from ledger.core import utc_now

    return utc_now(), f"local:{getpass.getuser()}", CONSOLE


def _via(command: str, name: str) -> str:
    return f"celltrace printers {command} {name}"


def _line(printer: Printer) -> str:
    spec = printer.spec
    return f"{spec.name} at {spec.address}, {spec.dpi} dpi, {spec.stock}"


def _json(printer: Printer) -> dict[str, object]:
    spec = printer.spec
    return {
        "name": spec.name,
        "address": str(spec.address),
        "dpi": spec.dpi,
        "stock": spec.stock,
        "in_service": printer.in_service,
        **printer.history(),
    }
