"""What `celltrace init` does on the PostgreSQL server itself: create a missing database (or
say exactly how an administrator does it) and check the application role exists. Granting it
its privileges is `ledger.storage.schema.grant_to`, beside the tables it names."""

from __future__ import annotations

import psycopg
from psycopg import sql

from ledger.config import DatabaseURL
from ledger.errors import InvalidInput, Unreachable
from ledger.storage.reachability import database_failure, pg_connect

MAINTENANCE_DATABASE = "postgres"


def ensure_database(db: DatabaseURL) -> bool:
    """Create `db`'s database when it does not exist; True when it was created.

    Connects to the `postgres` maintenance database with the same credentials. When the role
    may not create databases, raises Unreachable with the SQL an administrator runs.
    """
    try:
        with pg_connect(db):
            return False
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc) or f'"{db.dbname}"' not in str(exc):
            raise _failure(exc, db) from None
    try:
        with pg_connect(db, dbname=MAINTENANCE_DATABASE, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.dbname)))
    except psycopg.errors.DuplicateDatabase:
        return False  # another init created it meanwhile
    except psycopg.Error as exc:
        raise Unreachable(
            f"the database {db.dbname} does not exist on PostgreSQL at {db.host}:{db.port} and "
            f"role {db.user} cannot create it ({_reason(exc)}); ask an administrator to run, "
            f"as any superuser (e.g. psql -U postgres -h {db.host} -p {db.port}): "
            f"{create_database_sql(db)} then run `celltrace init` again"
        ) from None
    return True


def create_database_sql(db: DatabaseURL) -> str:
    """The SQL that creates the ledger's database, owned by the role that runs `init`."""
    return f"CREATE DATABASE {quote_identifier(db.dbname)} OWNER {quote_identifier(db.user)};"


def check_role(db: DatabaseURL, role: str) -> None:
    """Refuse (InvalidInput) a role the server does not have, before anything is created."""
    with pg_connect(db) as conn:
        found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if found is None:
        raise InvalidInput(
            f"--grant-to {role}: PostgreSQL at {db.host}:{db.port} has no role {role}; ask an "
            f"administrator to create it (CREATE ROLE {quote_identifier(role)} LOGIN PASSWORD "
            "'...';) and run init again. Nothing was written"
        )


def _failure(exc: psycopg.Error, db: DatabaseURL) -> Exception:
    return database_failure(exc, db) or Unreachable(str(exc))


def _reason(exc: psycopg.Error) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.removeprefix("connection failed: ")


def quote_identifier(name: str) -> str:
    """`name` as a PostgreSQL identifier: bare when it is a plain lower-case name."""
    plain = name[:1].isalpha() or name[:1] == "_"
    if plain and all(c.islower() or c.isdigit() or c == "_" for c in name):
        return name
    return '"' + name.replace('"', '""') + '"'
