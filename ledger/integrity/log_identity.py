"""The log's identity recorded in the ledger's own database (R-LED-4): the verifier key of
every log key, oldest first, as `keys/log-keys.txt` lists them (c2sp.org/signed-note).

`celltrace init` records it the first time and checks it every time after, so a host whose
keys folder lacks the log key is refused instead of creating a second identity for an existing
ledger; `rotate-log-key` appends the next key. Rows are append-only (triggers), and the
application's role may only read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text, func, select

from ledger.integrity.note import Verifier
from ledger.integrity.offline import read_keys
from ledger.storage import migrations

APPEND_ONLY = "CellTrace log identity rows are append-only (R-LED-4)"

metadata = MetaData()
log_identity = Table(
    "log_identity",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("verifier_key", Text, nullable=False, unique=True),
    Column("recorded_at", String(40), nullable=False),  # ISO 8601, UTC
)
_APPEND_ONLY_DDL = {
    "sqlite": tuple(
        f"CREATE TRIGGER IF NOT EXISTS log_identity_no_{action.lower()} BEFORE {action} "
        f"ON log_identity BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        for action in ("UPDATE", "DELETE")
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION log_identity_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END;$$",
        "CREATE OR REPLACE TRIGGER log_identity_append_only BEFORE UPDATE OR DELETE "
        "ON log_identity FOR EACH ROW EXECUTE FUNCTION log_identity_append_only()",
    ),
}


def create_table(engine: Engine) -> None:
    """Create the table and its append-only triggers (idempotent; the owner runs it)."""
    migrations.ensure(engine, migrations.LEDGER)
    with engine.begin() as conn:
        for statement in _APPEND_ONLY_DDL[conn.dialect.name]:
            conn.exec_driver_sql(statement)


def recorded_keys(engine: Engine) -> list[Verifier]:
    """The log keys the database names, oldest first (none before `init` recorded them)."""
    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, log_identity.name):
            return []
        rows = conn.execute(select(log_identity.c.verifier_key).order_by(log_identity.c.position))
        return read_keys("".join(f"{key}\n" for key in rows.scalars()))


def record_keys(engine: Engine, verifiers: Sequence[Verifier]) -> list[Verifier]:
    """Append the keys the database does not name yet, in order; returns those appended."""
    known = recorded_keys(engine)
    new = [v for v in verifiers if v not in known]
    if not new:
        return []
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with engine.begin() as conn:
        last = conn.execute(select(func.max(log_identity.c.position))).scalar() or 0
        conn.execute(
            log_identity.insert(),
            [
                {"position": last + n, "verifier_key": v.key_string(), "recorded_at": now}
                for n, v in enumerate(new, start=1)
            ],
        )
    return new


def key_ids(verifiers: Sequence[Verifier]) -> str:
    """The keys as `name+keyid` (what an operator compares with a key file's verifier)."""
    return ", ".join(f"{v.name}+{v.key_id.hex()}" for v in verifiers)
