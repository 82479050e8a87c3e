"""Signed checkpoints of the Merkle log, stored append-only (R-LED-4).

A checkpoint is the c2sp.org/tlog-checkpoint text (origin, size, base64 RFC 9162 root) signed
as a c2sp.org/signed-note with the log key. Before signing, the log proves from its stored tree
that the new tree extends the last checkpoint it signed (RFC 9162 2.1.4 consistency) and
checks that checkpoint's own signature; otherwise it raises IntegrityFailure and signs nothing,
so the log never signs two inconsistent checkpoints. When the worker signs them:
`checkpoint_policy.PeriodicCheckpoints`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    Row,
    String,
    Table,
    Text,
    select,
)

from ledger.config import Settings
from ledger.errors import IntegrityFailure, InvalidInput
from ledger.integrity import merkle
from ledger.integrity.log_identity import key_ids, record_keys, recorded_keys
from ledger.integrity.log_keys import key_history, log_signer, signers_for
from ledger.integrity.merkle_log import (
    MerkleLog,
    SQLNodes,
    create_tables,
    locked_transaction,
    tree_size,
)
from ledger.integrity.note import (
    Checkpoint,
    NoteError,
    Signer,
    open_checkpoint,
    sign_note,
)
from ledger.storage import migrations
from ledger.storage.db import SCHEMA_LOCK_KEY
from ledger.storage.tables import metadata

APPEND_ONLY = "CellTrace checkpoints are append-only (R-LED-4)"

log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", String(40), nullable=False),  # ISO 8601, UTC
)
_APPEND_ONLY_DDL = {
    "sqlite": (
        "SELECT 1",  # SQLite's write lock already serialises creators
        *(
            f"CREATE TRIGGER IF NOT EXISTS log_checkpoints_no_{action.lower()} BEFORE {action} "
            f"ON log_checkpoints BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            for action in ("UPDATE", "DELETE")
        ),
    ),
    "postgresql": (
        f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})",  # creators take turns
        "CREATE OR REPLACE FUNCTION log_checkpoints_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END;$$",
        "CREATE OR REPLACE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE "
        "ON log_checkpoints FOR EACH ROW EXECUTE FUNCTION log_checkpoints_append_only()",
    ),
}


@dataclass(frozen=True)
class StoredCheckpoint:
    """One row of `log_checkpoints`: its place in the sequence and the signed note."""

    sequence: int
    size: int
    root_hash: bytes
    note: str
    signed_at: str


def _stored(row: Row[Any]) -> StoredCheckpoint:
    return StoredCheckpoint(
        int(row.sequence), int(row.tree_size), bytes(row.root_hash), row.note, row.signed_at
    )


class Checkpoints:
    """The log's signed checkpoints: read them, and sign new ones safely."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self._created = False

    def create_tables(self) -> None:
        """Create the table and its append-only triggers (idempotent)."""
        if self._created:
            return
        migrations.ensure(self.engine, migrations.LEDGER)
        create_tables(self.engine, [log_checkpoints])  # made by the migration; adds its triggers
        with self.engine.begin() as conn:
            lock, *ddl = _APPEND_ONLY_DDL[conn.dialect.name]
            conn.exec_driver_sql(lock)
            # Only the owner may (re)define the triggers: the application role finds them.
            if conn.dialect.name != "postgresql" or not _has_trigger(conn):
                for statement in ddl:
                    conn.exec_driver_sql(statement)
        self._created = True

    def latest(self) -> StoredCheckpoint | None:
        with self.engine.connect() as conn:
            return _latest(conn)

    def tree_size(self) -> int:
        """How many leaves the stored Merkle log holds now."""
        return MerkleLog(self.engine).size()

    def all(self) -> Iterator[StoredCheckpoint]:
        """Every stored checkpoint in signing order."""
        with self.engine.connect() as conn:
            if not self.engine.dialect.has_table(conn, log_checkpoints.name):
                return
            rows = conn.execute(select(log_checkpoints).order_by(log_checkpoints.c.sequence))
            for row in rows:
                yield _stored(row)

    def sign(
        self, *, signers: Sequence[Signer] | None = None, force: bool = False
    ) -> tuple[StoredCheckpoint, bool]:
        """Sign the Merkle log as it is now; returns (checkpoint, whether it is new).

        Without `force`, a log that has not grown since the last checkpoint returns that one.
        Raises IntegrityFailure, signing nothing, when the stored tree does not extend the
        last signed checkpoint or that checkpoint does not verify.
        """
        self.create_tables()
        _admit(signers or [log_signer(self.settings)], self.engine, self.settings)
        with locked_transaction(self.engine) as conn:
            nodes = SQLNodes(conn)
            size = tree_size(conn)
            root = merkle.root_at(nodes, size)
            last = _latest(conn)
            if last is not None:
                self._check_extends(last, size, root, nodes)
                if last.size == size and not force:
                    return last, False
            chosen = list(signers) if signers else signers_for(self.settings, _note(last))
            note = sign_note(Checkpoint(self.settings.origin, size, root).to_text(), chosen)
            signed_at = datetime.now(UTC).isoformat(timespec="seconds")
            values = {"tree_size": size, "root_hash": root, "note": note, "signed_at": signed_at}
            sequence = conn.execute(log_checkpoints.insert().values(**values)).inserted_primary_key
            assert sequence is not None
            return StoredCheckpoint(int(sequence[0]), size, root, note, signed_at), True

    def _check_extends(
        self, last: StoredCheckpoint, size: int, root: bytes, nodes: SQLNodes
    ) -> None:
        what = f"checkpoint #{last.sequence} (size {last.size})"
        try:
            signed, _ = open_checkpoint(
                last.note, key_history(self.settings), origin=self.settings.origin
            )
        except NoteError as exc:
            raise IntegrityFailure(
                f"the last stored {what} does not verify with the log's keys ({exc}); "
                "refusing to sign: run `celltrace verify`"
            ) from None
        if (signed.size, signed.root_hash) != (last.size, last.root_hash):
            raise IntegrityFailure(f"the stored columns of {what} differ from its signed note")
        if size < last.size:
            raise IntegrityFailure(
                f"the Merkle log holds {size} entries but the log already signed {what}: "
                "entries were removed or an older database restored; refusing to sign"
            )
        try:
            if last.size == 0:
                ok = last.root_hash == merkle.EMPTY_ROOT
            else:
                proof = merkle.consistency_proof(nodes, last.size, size)
                merkle.verify_consistency(last.size, size, last.root_hash, root, proof)
                ok = True
        except (merkle.ProofError, KeyError) as exc:
            raise IntegrityFailure(
                f"the Merkle log at size {size} is not consistent with {what} ({exc}): "
                "history was rewritten; refusing to sign. Run `celltrace verify`"
            ) from None
        if not ok:
            raise IntegrityFailure(f"{what} does not carry the empty tree's root")


def _admit(signers: Sequence[Signer], engine: Engine, settings: Settings) -> None:
    """Refuse to sign with a key the database does not name as this log's: it would start a
    second identity. A key introduced by `begin_rotation` (the keys folder's history extends
    the database's) is recorded first, so the rotation checkpoint can name it."""
    identity = recorded_keys(engine)
    strangers = [s.verifier() for s in signers if identity and s.verifier() not in identity]
    if not strangers:
        return
    history = key_history(settings)
    if history[: len(identity)] == identity and all(v in history for v in strangers):
        record_keys(engine, history)
        return
    raise InvalidInput(
        f"the log signing key {settings.log_key.path} ({key_ids(strangers)}) is not this "
        f"ledger's log key ({key_ids(identity)}, recorded in its database); copy the "
        "ledger's key there or set CELLTRACE_KEYS_DIR / CELLTRACE_LOG_KEY"
    )


def _has_trigger(conn: Connection) -> bool:
    found = conn.exec_driver_sql(
        "SELECT 1 FROM pg_trigger WHERE tgname = 'log_checkpoints_append_only'"
    ).first()
    return found is not None


def _latest(conn: Connection) -> StoredCheckpoint | None:
    if not conn.dialect.has_table(conn, log_checkpoints.name):
        return None
    row = conn.execute(
        select(log_checkpoints).order_by(log_checkpoints.c.sequence.desc()).limit(1)
    ).first()
    return None if row is None else _stored(row)


def _note(checkpoint: StoredCheckpoint | None) -> str | None:
    return None if checkpoint is None else checkpoint.note
