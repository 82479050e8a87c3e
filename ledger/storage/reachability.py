"""Reaching the ledger's database: connections that fail fast, and one sentence that says what
failed and what to do when the database cannot be reached or used (DESIGN.md "Contracts added
for the second release": such a failure exits 3, never 1).

psycopg, SQLAlchemy and eventsourcing each wrap the driver's error in their own class
(`sqlalchemy.exc.OperationalError.orig`, `eventsourcing.persistence.OperationalError` raised
`from` the psycopg error); `database_failure` walks that chain down to the driver's error.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg

from ledger.config import CONNECT_TIMEOUT_SECONDS, DatabaseURL, Settings
from ledger.errors import LedgerError, NotFound, Unreachable

ADVICE = "check CELLTRACE_DATABASE_URL and that the server runs"
GRANTS = (
    "grant the application role its privileges (`celltrace init --grant-to ROLE` run by the "
    "owner, docs/operations.md) or use the owner role"
)


def pg_connect(
    db: DatabaseURL, *, dbname: str | None = None, **kwargs: Any
) -> psycopg.Connection[Any]:
    """A psycopg connection to `db` (or to `dbname` on the same server) that gives up after
    CONNECT_TIMEOUT_SECONDS instead of hanging."""
    return psycopg.connect(
        host=db.host,
        port=db.port,
        user=db.user,
        password=db.password,
        dbname=dbname or db.dbname,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        **kwargs,
    )


def probe(settings: Settings) -> None:
    """Connect once to a PostgreSQL ledger, raising Unreachable with the precise reason (the
    connection pool would only say it timed out). SQLite needs no probe."""
    db = settings.database
    if db.backend != "postgres":
        return
    try:
        with pg_connect(db):
            pass
    except psycopg.Error as exc:
        failure = database_failure(exc, db)
        raise (failure or Unreachable(_pg_sentence(str(exc), db))) from None


def database_failure(exc: BaseException, db: DatabaseURL) -> LedgerError | None:
    """The refusal to report for a database error anywhere in `exc`'s chain: Unreachable (exit
    3), NotFound when the ledger's tables are missing (exit 2), None for anything else."""
    from eventsourcing.persistence import IntegrityError, PersistenceError

    for cause in _chain(exc):
        if isinstance(cause, psycopg.Error) and not isinstance(cause, psycopg.IntegrityError):
            return _from_psycopg(cause, db)
        if isinstance(cause, sqlite3.OperationalError):
            return _from_sqlite(str(cause), db)
    for cause in _chain(exc):
        if isinstance(cause, PersistenceError) and not isinstance(cause, IntegrityError):
            return Unreachable(
                f"cannot use the ledger database: {_first_line(str(cause))}; {ADVICE}"
            )
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # sqlalchemy.exc.DBAPIError
        todo += [orig if isinstance(orig, BaseException) else None]
        todo += [current.__cause__, current.__context__]


def _from_psycopg(exc: psycopg.Error, db: DatabaseURL) -> LedgerError:
    if isinstance(exc, psycopg.errors.UndefinedTable):
        return NotFound(
            f"the PostgreSQL database {db.dbname} on {db.host}:{db.port} holds no CellTrace "
            f"ledger ({_first_line(str(exc))}); run `celltrace init` with the owner role"
        )
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return Unreachable(
            f"PostgreSQL role {db.user} may not do this on database {db.dbname}: "
            f"{_first_line(str(exc))}; {GRANTS}"
        )
    return Unreachable(_pg_sentence(str(exc), db))


def _pg_sentence(message: str, db: DatabaseURL) -> str:
    where = f"PostgreSQL at {db.host}:{db.port}"
    text = message.lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return (
            f"{where} refused the password of role {db.user}; "
            "check the user and password in CELLTRACE_DATABASE_URL"
        )
    if re.search(r'database ".*" does not exist', text):
        return (
            f"the database {db.dbname} does not exist on {where}; run `celltrace init` (it "
            "creates it) or check the database name in CELLTRACE_DATABASE_URL"
        )
    if "role" in text and "does not exist" in text:
        return f"{where} has no role {db.user}; check the user in CELLTRACE_DATABASE_URL"
    if "connection refused" in text:
        return f"cannot connect to {where}: connection refused; {ADVICE}"
    if "timeout" in text or "timed out" in text or "couldn't get a connection" in text:
        return f"cannot connect to {where}: no answer within {CONNECT_TIMEOUT_SECONDS} s; {ADVICE}"
    if "resolve host" in text or "translate host name" in text:
        return f"cannot connect to {where}: unknown host; check the host in CELLTRACE_DATABASE_URL"
    return f"cannot use {where}, database {db.dbname}: {_first_line(message)}; {ADVICE}"


def _from_sqlite(message: str, db: DatabaseURL) -> LedgerError:
    where = f"the SQLite file {db.sqlite_path}"
    if message.startswith("no such table"):
        return NotFound(f"{where} holds no CellTrace ledger ({message}); run `celltrace init`")
    if "locked" in message:
        return Unreachable(
            f"{where} stayed locked by another process for over 30 s; retry when it is done"
        )
    return Unreachable(
        f"cannot use {where}: {message}; check CELLTRACE_DATA_DIR / CELLTRACE_DATABASE_URL "
        "and the permissions of the file and its folder"
    )


def _first_line(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return line.removeprefix("connection failed: ")
