"""An attacker with direct write access to the database, for tamper-detection tests.

It first removes the append-only triggers (as a database administrator could) and then edits
the stored tables behind the application's back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from ledger.config import DatabaseURL
from ledger.integrity.chain import ZERO_HASH, canonical_originator_id, chain_hash, event_hash


class Attacker:
    def __init__(self, db: DatabaseURL) -> None:
        self.db = db
        self.nid = "rowid" if db.backend == "sqlite" else "notification_id"

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        if self.db.backend == "sqlite":
            conn = sqlite3.connect(str(self.db.sqlite_path))
            try:
                for name in ("stored_events_no_update", "stored_events_no_delete"):
                    conn.execute(f"DROP TRIGGER IF EXISTS {name}")
                yield conn.cursor()
                conn.commit()
            finally:
                conn.close()
        else:
            with psycopg.connect(
                host=self.db.host,
                port=self.db.port,
                user=self.db.user,
                password=self.db.password,
                dbname=self.db.dbname,
            ) as conn:
                cur = conn.cursor()
                cur.execute("ALTER TABLE stored_events DISABLE TRIGGER USER")
                yield cur

    def _q(self, sql: str) -> str:
        sql = sql.replace("{nid}", self.nid)
        return sql if self.db.backend == "sqlite" else sql.replace("?", "%s")

    def rows(self) -> list[tuple[Any, ...]]:
        with self._cursor() as cur:
            cur.execute(
                self._q(
                    "SELECT {nid}, originator_id, originator_version, topic, state "
                    "FROM stored_events ORDER BY {nid}"
                )
            )
            return list(cur.fetchall())

    def flip_state_byte(self, nid: int) -> None:
        with self._cursor() as cur:
            cur.execute(self._q("SELECT state FROM stored_events WHERE {nid} = ?"), (nid,))
            state = bytearray(cur.fetchone()[0])
            state[len(state) // 2] ^= 0x01
            cur.execute(
                self._q("UPDATE stored_events SET state = ? WHERE {nid} = ?"), (bytes(state), nid)
            )

    def set_topic(self, nid: int, topic: str) -> None:
        with self._cursor() as cur:
            cur.execute(self._q("UPDATE stored_events SET topic = ? WHERE {nid} = ?"), (topic, nid))

    def set_originator(self, nid: int, originator_id: Any) -> None:
        with self._cursor() as cur:
            cur.execute(
                self._q("UPDATE stored_events SET originator_id = ? WHERE {nid} = ?"),
                (originator_id, nid),
            )

    def delete_event(self, nid: int) -> None:
        with self._cursor() as cur:
            cur.execute(self._q("DELETE FROM stored_events WHERE {nid} = ?"), (nid,))

    def swap(self, a: int, b: int) -> None:
        with self._cursor() as cur:
            for old, new in ((a, -1), (b, a), (-1, b)):
                cur.execute(
                    self._q("UPDATE stored_events SET {nid} = ? WHERE {nid} = ?"), (new, old)
                )

    def insert_event(self, originator_id: Any, version: int, topic: str, state: bytes) -> int:
        """Append a forged event; its hashes are copied from the last real event."""
        with self._cursor() as cur:
            cur.execute(
                self._q(
                    "INSERT INTO stored_events (originator_id, originator_version, topic, state, "
                    "event_hash, chain_hash) SELECT ?, ?, ?, ?, event_hash, chain_hash "
                    "FROM stored_events ORDER BY {nid} DESC LIMIT 1"
                ),
                (originator_id, version, topic, state),
            )
            cur.execute(self._q("SELECT MAX({nid}) FROM stored_events"))
            return int(cur.fetchone()[0])

    def rehash_from(self, nid: int, new_state_for: dict[int, bytes]) -> None:
        """Edit events and recompute every event hash and the chain from `nid` on, as an
        attacker who knows the algorithm would (no signing key needed for the chain)."""
        with self._cursor() as cur:
            for target, state in new_state_for.items():
                cur.execute(
                    self._q("UPDATE stored_events SET state = ? WHERE {nid} = ?"), (state, target)
                )
            cur.execute(
                self._q(
                    "SELECT {nid}, originator_id, originator_version, topic, state "
                    "FROM stored_events ORDER BY {nid}"
                )
            )
            rows: Sequence[Any] = cur.fetchall()
            head = ZERO_HASH
            by_agg: dict[tuple[str, int], bytes] = {}
            for n, oid, version, topic, state in rows:
                key = canonical_originator_id(str(oid))
                prev = by_agg.get((key, version - 1), ZERO_HASH)
                this = event_hash(n, key, version, topic, bytes(state), prev)
                head = chain_hash(head, this)
                by_agg[(key, version)] = this
                if n >= nid:
                    cur.execute(
                        self._q(
                            "UPDATE stored_events SET event_hash = ?, chain_hash = ? "
                            "WHERE {nid} = ?"
                        ),
                        (this, head, n),
                    )

    # --- the transparency log's tables (R-LED-4) ---------------------------------------

    def delete_last_events(self, count: int) -> None:
        """Cut the end off the ledger (a clean truncation: every remaining hash still links)."""
        with self._cursor() as cur:
            cur.execute(
                self._q(
                    "DELETE FROM stored_events WHERE {nid} IN (SELECT {nid} FROM stored_events "
                    "ORDER BY {nid} DESC LIMIT ?)"
                ),
                (count,),
            )

    def set_merkle_node(self, level: int, index: int, value: bytes) -> None:
        """Overwrite one stored subtree hash of the Merkle log (no trigger guards it)."""
        with self._cursor() as cur:
            cur.execute(
                self._q("UPDATE merkle_nodes SET hash = ? WHERE level = ? AND node_index = ?"),
                (value, level, index),
            )

    def empty_tables(self, *tables: str) -> None:
        """Empty whole tables at once: TRUNCATE on PostgreSQL (its triggers disabled first, as
        the tables' owner can), DELETE on SQLite (which has no TRUNCATE)."""
        with self._cursor() as cur:
            for table in tables:
                if self.db.backend == "sqlite":
                    for trigger in (f"{table}_no_update", f"{table}_no_delete"):
                        cur.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                    cur.execute(f"DELETE FROM {table}")
                else:
                    cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                    cur.execute(f"TRUNCATE {table}")

    def run(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Any statement on the database (`?` placeholders), e.g. against a read model."""
        with self._cursor() as cur:
            cur.execute(self._q(sql), params)
            return list(cur.fetchall()) if cur.description else []

    def set_merkle_leaf(self, log_index: int, value: bytes) -> None:
        """Overwrite the event hash a stored leaf of the Merkle log holds."""
        with self._cursor() as cur:
            cur.execute(
                self._q("UPDATE merkle_leaves SET event_hash = ? WHERE log_index = ?"),
                (value, log_index),
            )

    def set_column(self, nid: int, column: str, sql_value: str) -> None:
        """Set one column of one stored event to an SQL expression (e.g. a type change)."""
        with self._cursor() as cur:
            cur.execute(
                self._q(f"UPDATE stored_events SET {column} = {sql_value} WHERE {{nid}} = ?"),
                (nid,),
            )

    def insert_checkpoint(self, size: int, root: bytes, note: str) -> None:
        """Append a checkpoint row of the attacker's making."""
        with self._cursor() as cur:
            cur.execute(
                self._q(
                    "INSERT INTO log_checkpoints (tree_size, root_hash, note, signed_at) "
                    "VALUES (?, ?, ?, '2026-01-01T00:00:00+00:00')"
                ),
                (size, root, note),
            )

    def forget_transparency_log(self) -> None:
        """Remove every stored checkpoint and the Merkle log, as if they never existed."""
        with self._cursor() as cur:
            if self.db.backend == "sqlite":
                for name in ("log_checkpoints_no_update", "log_checkpoints_no_delete"):
                    cur.execute(f"DROP TRIGGER IF EXISTS {name}")
            else:
                cur.execute("ALTER TABLE log_checkpoints DISABLE TRIGGER USER")
            cur.execute("DELETE FROM log_checkpoints")
            cur.execute("DELETE FROM merkle_nodes")
            cur.execute("DELETE FROM merkle_leaves")
            cur.execute("DELETE FROM projection_tracking WHERE view = 'merkle'")
