"""The stored RFC 9162 Merkle log of the ledger: its tables and O(log n) reads (R-LED-4).

Leaf `log_index` (dense, 0-based, in notification order) holds the stored 32-byte `event_hash`;
its RFC 9162 leaf hash SHA-256(0x00 || event_hash) is recomputed on read rather than stored.
`merkle_nodes` holds every complete subtree of level >= 1 (RFC 9162 2.1.1 node hashes), so a
root, an inclusion proof (2.1.3.1) or a consistency proof (2.1.4.1) at any size costs one
SELECT of at most 2 log2(n) + 1 rows, planned by `ledger.integrity.merkle`.
The projection `ledger.projections.merkle` writes these tables; this module only reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    SmallInteger,
    Table,
    func,
    select,
    text,
)

from ledger.errors import InvalidInput, NotFound
from ledger.integrity import merkle
from ledger.storage.db import schema_turn
from ledger.storage.tables import metadata

T = TypeVar("T")

# INTEGER PRIMARY KEY on SQLite is the rowid itself: one b-tree per table, not two.
_Index = BigInteger().with_variant(Integer(), "sqlite")

merkle_leaves = Table(
    "merkle_leaves",
    metadata,
    Column("log_index", _Index, primary_key=True, autoincrement=False),
    Column("notification_id", BigInteger, nullable=False, unique=True),
    Column("event_hash", LargeBinary(32), nullable=False),
)

merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("node_index", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)


MERKLE_LOCK_KEY = 0x4D45524B  # "MERK": one writer of the Merkle log and its checkpoints at a time


@dataclass(frozen=True)
class Integrated:
    """What one batch appended: leaves [start, end), up to `notification_id`, their topics."""

    start: int
    end: int
    notification_id: int
    topics: frozenset[str]


@contextmanager
def locked_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the Merkle log's write lock from its first statement."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            return
        with conn.begin():
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MERKLE_LOCK_KEY})
            yield conn


def create_tables(engine: Engine, tables: Sequence[Table]) -> None:
    """Create tables (idempotent). Creators take turns - SQLite's write lock, PostgreSQL's
    schema lock as the recorders take it - so two starting at once do not collide."""
    with schema_turn(engine) as conn:
        metadata.create_all(conn, tables=list(tables))
        if conn.dialect.name == "postgresql":
            for table in tables:
                if table.name in NO_TRUNCATE:
                    refuse_truncate(conn, table.name)
        conn.commit()


# Row-level triggers do not fire on TRUNCATE; these tables get a statement-level one (R-LED-9).
NO_TRUNCATE = frozenset({"merkle_leaves", "merkle_nodes", "log_checkpoints"})
NO_TRUNCATE_MESSAGE = "CellTrace ledger tables cannot be truncated (R-LED-9)"


def refuse_truncate(conn: Connection, table: str) -> None:
    """PostgreSQL: a `BEFORE TRUNCATE` statement trigger on `table` that raises (idempotent).
    Created only when missing and only by the table's owner: a worker running as the
    application's role leaves it to the owner's next `celltrace init`."""
    found = conn.execute(
        text(
            "SELECT t.tableowner = current_user, EXISTS (SELECT 1 FROM pg_trigger "
            "WHERE tgname = :name AND tgrelid = to_regclass(:table)) "
            "FROM pg_tables t WHERE t.tablename = :table AND t.schemaname = current_schema()"
        ),
        {"name": f"{table}_no_truncate", "table": table},
    ).first()
    if found is None or not found[0] or found[1]:
        return
    conn.execute(
        text(
            "CREATE OR REPLACE FUNCTION celltrace_no_truncate() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$BEGIN RAISE EXCEPTION '{NO_TRUNCATE_MESSAGE}'; END;$$"
        )
    )
    conn.execute(
        text(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION celltrace_no_truncate()"
        )
    )


@dataclass(frozen=True)
class Leaf:
    """One leaf of the log: its index, the event it commits to and that event's hash."""

    log_index: int
    notification_id: int
    event_hash: bytes

    @property
    def leaf_hash(self) -> bytes:
        return merkle.leaf_hash(self.event_hash)


def _bucket(n: int) -> int:
    """How many ids a statement asks for: n rounded up to a power of two (at least 4), so that
    a handful of fixed statements serves every read and each is prepared once per connection
    (sqlite3's statement cache, psycopg's automatic prepare)."""
    return max(4, 1 << (n - 1).bit_length()) if n else 0


@lru_cache(maxsize=64)
def _nodes_sql(mark: str, leaves: int, inner: int) -> str:
    """One SELECT of `leaves` leaves and `inner` inner nodes, in positional parameters."""
    parts = []
    if leaves:
        parts.append(
            "SELECT 0, log_index, event_hash FROM merkle_leaves "  # noqa: S608 - marks only
            f"WHERE log_index IN ({', '.join([mark] * leaves)})"
        )
    if inner:
        where = " OR ".join([f"(level = {mark} AND node_index = {mark})"] * inner)
        parts.append(f"SELECT level, node_index, hash FROM merkle_nodes WHERE {where}")  # noqa: S608
    return " UNION ALL ".join(parts)


class SQLNodes:
    """`merkle.NodeReader` over the tables, inside one connection: one SELECT per batch,
    through the DB-API cursor with one of a few fixed statements."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._mark = "?" if conn.dialect.name == "sqlite" else "%s"

    def get_nodes(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        if not ids:
            return []
        leaves = [index for level, index in ids if level == 0]
        inner = [node_id for node_id in ids if node_id[0]]
        n_leaves, n_inner = _bucket(len(leaves)), _bucket(len(inner))
        params: list[int] = leaves + [leaves[-1]] * (n_leaves - len(leaves)) if leaves else []
        if inner:
            for level, index in inner + [inner[-1]] * (n_inner - len(inner)):
                params += (level, index)
        cursor = self.conn.connection.cursor()
        try:
            cursor.execute(_nodes_sql(self._mark, n_leaves, n_inner), params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        found: dict[tuple[int, int], bytes] = {}
        for level, index, h in rows:
            raw = bytes(h)
            found[(int(level), int(index))] = merkle.leaf_hash(raw) if level == 0 else raw
        try:
            return [found[node_id] for node_id in ids]
        except KeyError as exc:
            raise KeyError(f"no stored Merkle node at (level, index) {exc.args[0]}") from None


class _WithLeaf(SQLNodes):
    """Reads the leaf hash at `index` in the same SELECT as the proof's nodes."""

    def __init__(self, conn: Connection, index: int) -> None:
        super().__init__(conn)
        self.index = index
        self.leaf_hash: bytes | None = None

    def get_nodes(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        if self.leaf_hash is not None:
            return super().get_nodes(ids)
        *hashes, self.leaf_hash = super().get_nodes([*ids, (0, self.index)])
        return hashes


def tree_size(conn: Connection) -> int:
    """Number of leaves in the stored log (one past the highest log_index)."""
    last = conn.execute(select(func.max(merkle_leaves.c.log_index))).scalar()
    return 0 if last is None else int(last) + 1


class MerkleLog:
    """Read access to the stored Merkle log: size, roots, proofs and leaves (RFC 9162)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def size(self) -> int:
        with self._reading() as conn:
            return tree_size(conn)

    def root(self, size: int) -> bytes:
        """MTH(D[size]) (RFC 9162 2.1.1); NotFound if the log has fewer leaves."""
        _check_size(size)
        with self._reading() as conn:
            return _beyond_log(size, lambda: merkle.root_at(SQLNodes(conn), size))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]) (RFC 9162 2.1.3.1); InvalidInput unless 0 <= index < size."""
        _check_size(size)
        if not 0 <= index < size:
            raise InvalidInput(f"leaf index {index} is outside a tree of size {size}")
        with self._reading() as conn:
            return _beyond_log(size, lambda: merkle.inclusion_proof(SQLNodes(conn), index, size))

    def inclusion(self, index: int, size: int) -> tuple[bytes, list[bytes]]:
        """The leaf hash at `index` and PATH(index, D[size]), from one SELECT on one
        connection; InvalidInput unless 0 <= index < size, NotFound beyond the log."""
        _check_size(size)
        if not 0 <= index < size:
            raise InvalidInput(f"leaf index {index} is outside a tree of size {size}")
        with self._reading() as conn:
            reader = _WithLeaf(conn, index)
            proof = _beyond_log(size, lambda: merkle.inclusion_proof(reader, index, size))
            leaf_hash = reader.leaf_hash
            if leaf_hash is None:  # a one-leaf tree: an empty path, nothing read yet
                leaf_hash = _beyond_log(size, lambda: reader.get_nodes([(0, index)])[0])
        return leaf_hash, proof

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """PROOF(old, D[new]) (RFC 9162 2.1.4.1); InvalidInput unless 0 < old <= new."""
        _check_size(new)
        if not 0 < old <= new:
            raise InvalidInput(
                f"no consistency proof from size {old} to size {new}; need 0 < old <= new"
            )
        with self._reading() as conn:
            return _beyond_log(new, lambda: merkle.consistency_proof(SQLNodes(conn), old, new))

    def leaf(self, log_index: int) -> Leaf:
        """The leaf at `log_index`; NotFound when the log is shorter."""
        with self._reading() as conn:
            row = conn.execute(
                select(merkle_leaves).where(merkle_leaves.c.log_index == log_index)
            ).first()
        if row is None:
            raise NotFound(f"the Merkle log has no entry {log_index}")
        return Leaf(int(row[0]), int(row[1]), bytes(row[2]))

    def leaves_of(self, notification_ids: Sequence[int]) -> dict[int, Leaf]:
        """The leaves of these notification ids, keyed by notification id (absent: not yet in)."""
        found: dict[int, Leaf] = {}
        with self._reading() as conn:
            for start in range(0, len(notification_ids), 500):
                chunk = notification_ids[start : start + 500]
                rows = conn.execute(
                    select(merkle_leaves).where(merkle_leaves.c.notification_id.in_(chunk))
                )
                for row in rows:
                    found[int(row[1])] = Leaf(int(row[0]), int(row[1]), bytes(row[2]))
        return found


def _check_size(size: int) -> None:
    if size < 0:
        raise InvalidInput(f"tree size {size} is negative")


def _beyond_log(size: int, compute: Callable[[], T]) -> T:
    try:
        return compute()
    except KeyError:
        raise NotFound(f"the Merkle log has fewer than {size} entries") from None
