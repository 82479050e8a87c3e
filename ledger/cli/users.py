"""`celltrace users ...`: register people, record their training and set their passwords from
the server console (recorded as SYSTEM)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.help import CleanTyper
from ledger.config import Settings
from ledger.errors import LedgerError

if TYPE_CHECKING:
    from ledger.application import CellTraceLedger
    from ledger.stores.credentials import Credentials


def register_users(app: typer.Typer, settings_of: Callable[[], Settings]) -> None:
    """Add the `users` command group to `app`."""
    users = CleanTyper(no_args_is_help=True, help="People, roles, training and passwords.")
    app.add_typer(users, name="users")

    @users.command("add")
    def users_add(
        role: Annotated[
            list[str],
            typer.Option(
                "--role",
                metavar="ROLE",
                help="A role to grant (repeat for several): operator, qc_analyst, qa, qp, "
                "pharmacist, nurse, investigator, auditor, unblinded or administrator.",
            ),
        ],
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from standard input.")
        ] = False,
        name: Annotated[
            str,
            typer.Option(
                "--name",
                metavar="NAME",
                help="Printed name shown with the person's signatures (kept encrypted).",
            ),
        ] = "",
    ) -> None:
        """Register a person from the server console (recorded as SYSTEM) and set a password."""
        from ledger.application import SYSTEM

        settings = settings_of()
        password = _password(password_stdin)
        # Everything that can refuse the password is checked before the person is registered.
        credentials = _credentials(settings, password)
        credentials.check_writable()
        with _refusals_exit_2(), _ledger(settings) as ledger:
            code, _ = ledger.register_person(SYSTEM, role, name)
        try:
            credentials.set_password(code, password)
        except Exception:
            typer.echo(
                f"error: {code} was registered but the password could not be stored; "
                f"run `celltrace users set-password {code}`",
                err=True,
            )
            raise
        typer.echo(code)

    @users.command("train")
    def users_train(
        code: Annotated[str, typer.Argument(metavar="CODE", help="The person's code (PER-...).")],
        step_type: Annotated[
            str,
            typer.Argument(
                metavar="STEP",
                help="The step type trained for, e.g. banks.thaw; an unknown one is refused "
                "with the list of step types (R-PPL-1).",
            ),
        ],
        sop: Annotated[
            str, typer.Option(metavar="SOP", help="SOP and version trained on, e.g. 'SOP-7 v2'.")
        ],
        days: Annotated[int, typer.Option(metavar="N", help="Validity in days.")] = 365,
    ) -> None:
        """Record a person's training for a step type (recorded as SYSTEM)."""
        from datetime import timedelta

        from ledger.application import SYSTEM

        settings = settings_of()
        with _refusals_exit_2(), _ledger(settings) as ledger:
            today = ledger.today()
            ledger.record_training(
                SYSTEM, code, step_type, today, today + timedelta(days=days), sop
            )
        typer.echo(f"{code} trained for {step_type} until {today + timedelta(days=days)}")

    @users.command("set-password")
    def users_set_password(
        code: Annotated[str, typer.Argument(metavar="CODE", help="The person's code (PER-...).")],
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from standard input.")
        ] = False,
    ) -> None:
        """Set (or reset, which also unlocks) a person's password."""
        settings = settings_of()
        with _refusals_exit_2(), _ledger(settings) as ledger:
            person = ledger.get_person(code)
        password = _password(password_stdin)
        _credentials(settings, password).set_password(person.code, password)
        typer.echo(f"Password set for {person.code}; every session of theirs has ended")

    @users.command("badge")
    def users_badge(
        code: Annotated[str, typer.Argument(metavar="CODE", help="The person's code (PER-...).")],
        out: Annotated[
            Path | None,
            typer.Option("--out", metavar="FILE", help="PDF to write (default: CODE-badge.pdf)."),
        ] = None,
        reason: Annotated[
            str, typer.Option(metavar="TEXT", help="Why a badge printed before is printed again.")
        ] = "",
    ) -> None:
        """Write a person's badge (PDF, 85.6 x 54 mm): code, printed name, roles and a signed QR
        code that fills in who signs in at a station; recorded in the access log (R-ACC-2)."""
        import getpass

        from label_printing.cli import write_file
        from ledger.core import utc_now
        from ledger.printing import Who, badge
        from ledger.storage.db import create_db_engine
        from ledger.stores.access_log import AccessLog

        settings = settings_of()
        log = AccessLog(create_db_engine(settings))
        log.create_tables()
        try:
            with _refusals_exit_2(), _ledger(settings) as ledger:
                printed = badge(ledger, log, code, reason.strip(), "--reason")
            target = out or Path(f"{printed.person.replace('*', '_')}-badge.pdf")
            with _refusals_exit_2():
                path = write_file(target, ".pdf", printed.pdf)
            who = Who(f"local:{getpass.getuser()}", "command line", utc_now(), _badge_via(code))
            printed.record(log, who)
        finally:
            log.engine.dispose()
        typer.echo(f"Badge of {printed.person} written to {path}")

    @users.command("lock")
    def users_lock(code: str) -> None:
        """Lock a person out: no sign-in or signature until unlocked, every session ends now
        (R-ACC-3)."""
        person = _person(settings_of(), code)
        if not _store(settings_of()).lock(person):
            typer.echo(f"error: {person} has no password to lock", err=True)
            raise typer.Exit(2)
        typer.echo(f"{person} locked; every session of theirs has ended")

    @users.command("unlock")
    def users_unlock(code: str) -> None:
        """Lift an administrator's lock."""
        person = _person(settings_of(), code)
        if not _store(settings_of()).unlock(person):
            typer.echo(f"error: {person} has no password to unlock", err=True)
            raise typer.Exit(2)
        typer.echo(f"{person} unlocked")


def _badge_via(code: str) -> str:
    return f"celltrace users badge {code}"


def _person(settings: Settings, code: str) -> str:
    """The canonical code of a registered person, or exit 2."""
    from ledger.bootstrap import open_ledger
    from ledger.errors import LedgerError

    ledger = open_ledger(settings)
    try:
        return ledger.get_person(code).code
    except LedgerError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        ledger.close()


def _store(settings: Settings) -> Credentials:
    from ledger.storage.db import create_db_engine
    from ledger.stores.credentials import Credentials

    credentials = Credentials(create_db_engine(settings))
    credentials.create_tables()
    return credentials


@contextmanager
def _ledger(settings: Settings) -> Iterator[CellTraceLedger]:
    from ledger.bootstrap import open_ledger

    ledger = open_ledger(settings)
    try:
        yield ledger
    finally:
        ledger.close()


@contextmanager
def _refusals_exit_2() -> Iterator[None]:
    """A refused input (unknown person or step type, a rule) is a usage error: one line on
    stderr naming the rule and what to do, exit 2; nothing was written."""
    try:
        yield
    except LedgerError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _credentials(settings: Settings, password: str) -> Credentials:
    """The password store, after checking `password` is acceptable (exit 2 if not)."""
    from ledger.storage.db import create_db_engine
    from ledger.stores.credentials import MIN_PASSWORD_LENGTH, Credentials

    if len(password) < MIN_PASSWORD_LENGTH:
        typer.echo(
            f"error: the password must have at least {MIN_PASSWORD_LENGTH} characters", err=True
        )
        raise typer.Exit(2)
    credentials = Credentials(create_db_engine(settings))
    credentials.create_tables()
    return credentials
