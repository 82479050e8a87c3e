"""Every table of a ledger's database, created by `celltrace init` (the owner role), and the
privileges the application role needs on them (docs/operations.md "Least privilege").

On PostgreSQL only the owner changes the schema: the processes that run as the application
role (`serve`, `worker`, `verify`, `trace`, `users`, ...) find every table already there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from ledger.config import Settings
from ledger.integrity import log_identity
from ledger.integrity.checkpoints import Checkpoints
from ledger.projections.items import ItemsView
from ledger.projections.merkle import MerkleView
from ledger.storage.pg_setup import quote_identifier
from ledger.storage.reachability import pg_connect
from ledger.stores import personal_data
from ledger.stores.access_log import AccessLog
from ledger.stores.credentials import Credentials
from ledger.stores.printers import Printers


def create_side_tables(settings: Settings, engine: Engine) -> None:
    """Create every table beside the event store in the ledger's database (idempotent): read
    models, Merkle log, checkpoints, the log identity, passwords, sessions, sign-in throttles
    the access log and the label printers. Personal data has a key store of its own
    (`personal_data`)."""
    ItemsView(engine).create_tables()
    MerkleView(engine).create_tables()
    Checkpoints(settings, engine).create_tables()
    log_identity.create_table(engine)
    Credentials(engine).create_tables()
    AccessLog(engine).create_tables()
    Printers(engine, AccessLog(engine)).create_tables()


@dataclass(frozen=True)
class Grant:
    """Privileges of the application role on some tables, and why it needs them."""

    privileges: str
    tables: tuple[str, ...]
    why: str


# The application role appends to the ledger, its Merkle log and checkpoints, only reads the log
# identity, and maintains the read models and side stores. Rebuilding the read models
# (`worker --rebuild`, which drops tables) and `rotate-log-key` are the owner's.
APP_GRANTS: tuple[Grant, ...] = (
    Grant(
        "SELECT, INSERT",
        ("stored_events", "log_checkpoints", "merkle_leaves", "merkle_nodes"),
        "append-only records: events, checkpoints, the Merkle log",
    ),
    Grant(
        "SELECT",
        ("log_identity", "celltrace_schema"),
        "the log's keys, recorded by init; the schema's revision, checked at start",
    ),
    Grant(
        "SELECT, INSERT, UPDATE",
        ("projection_tracking", "items", "read_model_versions"),
        "read models moving forward (positions, item status, the rules' version)",
    ),
    Grant("SELECT, INSERT", ("timeline", "genealogy_edges", "access_log"), "append-only rows"),
    Grant(
        "SELECT, INSERT, UPDATE, DELETE",
        ("worklist", "lot_qc"),
        "the dashboards' work in progress: work arises, changes and is done",
    ),
    Grant(
        "SELECT, INSERT, UPDATE, DELETE",
        ("credentials", "sessions", "sign_in_throttles"),
        "passwords (reset, lock-out), sessions (sign-out, revocation, purge), sign-in throttles",
    ),
    Grant(
        "SELECT, INSERT, UPDATE",
        ("label_printers",),
        "label printers registered, changed and retired (each recorded in the access log)",
    ),
)
# Personal data lives in its own schema (the key store), so erasure and its backups are apart.
PERSONAL_PRIVILEGES = "SELECT, INSERT, DELETE"
APP_SEQUENCES = ("stored_events_notification_id_seq", "log_checkpoints_sequence_seq")


def grant_statements(role: str, database: str) -> list[str]:
    """The SQL that gives `role` exactly what the application needs (run by the owner)."""
    who = quote_identifier(role)
    statements = [f"GRANT CONNECT ON DATABASE {quote_identifier(database)} TO {who};"]
    statements += [f"GRANT {g.privileges} ON {', '.join(g.tables)} TO {who};" for g in APP_GRANTS]
    statements.append(f"GRANT USAGE ON SEQUENCE {', '.join(APP_SEQUENCES)} TO {who};")
    schema = personal_data.PG_SCHEMA
    statements.append(f"GRANT USAGE ON SCHEMA {schema} TO {who};")
    statements.append(f"GRANT {PERSONAL_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {who};")
    return statements


def grant_to(settings: Settings, role: str) -> list[str]:
    """Give `role` exactly the application's privileges (GRANTs are idempotent); returns the
    statements run."""
    db = settings.database
    statements = grant_statements(role, db.dbname)
    with pg_connect(db) as conn:
        for statement in statements:
            conn.execute(statement.encode())
    return statements
