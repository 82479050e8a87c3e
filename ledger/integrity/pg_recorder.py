"""Hash-chain application recorder for PostgreSQL (R-LED-1, R-LED-3).

Like the SQLite recorder (`ledger.integrity.recorders`), it subclasses eventsourcing's own
application recorder and, inside the transaction that inserts the events and under the write
lock, allocates their notification ids from the table's sequence, reads the chain head, hashes
(`ledger.integrity.chain`) and inserts each event with its `event_hash` and `chain_hash`.

Round trips are the cost of a save here, so the statements of a save are pipelined (psycopg
pipeline mode), and the recorder remembers the chain head it last committed. With that head
a save hashes before it opens the transaction and then needs one round trip (the library's
plain recorder needs two): BEGIN, lock, a guarded INSERT and COMMIT, sent at once. The
INSERT proves under the lock that the remembered head is still the table's head and that the
sequence has handed out no id since (nobody appended, nobody rolled back); only then does it
draw the ids, exactly as many as the unguarded path would, insert and notify listeners.
Otherwise it writes, draws and notifies nothing, and the save is redone reading the head, the
ids and the links under the lock (three round trips).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import psycopg
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Connection, Cursor, pq
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier, Literal

from ledger.integrity.chain import ZERO_HASH
from ledger.integrity.recorders import (
    APPEND_ONLY_MESSAGE,
    WRITE_LOCK_KEY,
    ChainHeadCache,
    HashedRow,
    Link,
    hash_batch,
    links_to_read,
)
from ledger.storage.db import SCHEMA_LOCK_KEY

Head = tuple[int, bytes]  # last notification id and chain hash of the table (0, zero: empty)


class HashChainPostgresRecorder(ChainHeadCache, PostgresApplicationRecorder):
    """PostgreSQL application recorder that hash-chains every event as it is inserted.

    Every write first takes one advisory lock, so notification order equals commit order;
    under that lock the ids come from the sequence and the events are hashed after the head.
    """

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        e = Identifier(self.events_table_name)
        id_type = SQL(self.datastore.originator_id_type)
        self.sql_create_statements[self.create_table_statement_index] = SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{e} ("
            "originator_id {id_type} NOT NULL, "
            "originator_version bigint NOT NULL, "
            "topic text, "
            "state bytea, "
            "notification_id bigserial, "
            "event_hash bytea NOT NULL, "
            "chain_hash bytea NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))"
        ).format(schema=schema, e=e, id_type=id_type)
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.celltrace_append_only() "
                "RETURNS trigger LANGUAGE plpgsql AS "
                "$BODY$BEGIN RAISE EXCEPTION '{msg}'; END;$BODY$"
            ).format(schema=schema, msg=SQL(APPEND_ONLY_MESSAGE))
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE TRIGGER {trigger} BEFORE UPDATE OR DELETE "
                "ON {schema}.{e} FOR EACH ROW EXECUTE FUNCTION {schema}.celltrace_append_only()"
            ).format(
                trigger=Identifier(f"{self.events_table_name}_append_only"), schema=schema, e=e
            )
        )
        # Row-level triggers do not fire on TRUNCATE: refuse it per statement (R-LED-9).
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE TRIGGER {trigger} BEFORE TRUNCATE "
                "ON {schema}.{e} FOR EACH STATEMENT "
                "EXECUTE FUNCTION {schema}.celltrace_append_only()"
            ).format(
                trigger=Identifier(f"{self.events_table_name}_no_truncate"), schema=schema, e=e
            )
        )
        # Writers take turns on a transaction-scoped advisory lock instead of the library's
        # `LOCK TABLE ... IN EXCLUSIVE MODE`: same commit-order guarantee for every writer
        # (all go through this recorder), but the application role needs no UPDATE privilege.
        self.lock_table_statements = [
            self.lock_table_statements[0],  # SET LOCAL lock_timeout
            SQL("SELECT pg_advisory_xact_lock({key})").format(key=WRITE_LOCK_KEY),
        ]
        self.notify_statement = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
        table = f"{self.datastore.schema}.{self.events_table_name}"
        seq = SQL("pg_get_serial_sequence({table}, 'notification_id')").format(table=Literal(table))
        self.select_head_statement = SQL(
            "SELECT notification_id, chain_hash FROM {schema}.{e} "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(schema=schema, e=e)
        self.next_ids_statement = SQL(
            "SELECT nextval({seq}) AS id FROM generate_series(1, %s)"
        ).format(seq=seq)
        self.select_links_statement = SQL(
            "SELECT e.originator_id, e.originator_version, e.event_hash "
            "FROM unnest(%s::{id_type}[], %s::bigint[]) AS k(oid, ver) "
            "JOIN {schema}.{e} e ON e.originator_id = k.oid AND e.originator_version = k.ver"
        ).format(schema=schema, e=e, id_type=id_type)
        columns = SQL(
            "INSERT INTO {schema}.{e} (originator_id, originator_version, topic, state, "
            "notification_id, event_hash, chain_hash) "
        ).format(schema=schema, e=e)
        self.insert_events_statement = columns + SQL(
            "SELECT * FROM unnest(%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[], "
            "%s::bigint[], %s::bytea[], %s::bytea[]) RETURNING notification_id"
        ).format(id_type=id_type)
        # The guarded insert, committed in the same round trip: the ids are drawn (all at
        # once, as the unguarded path does) only when the table's head is still the remembered
        # one and the sequence's last value is its id, i.e. nothing was appended or rolled back
        # since; then they are the ids the events were hashed with, and the insert notifies
        # listeners as NOTIFY would. Otherwise it writes and notifies nothing.
        # Parameters: head id and chain hash, count, then the six event arrays.
        self.insert_after_head_statement: Composed = (
            SQL(
                "WITH head AS (SELECT notification_id, chain_hash FROM {schema}.{e} "
                "ORDER BY notification_id DESC LIMIT 1), "
                "drawn AS (SELECT CASE WHEN "
                "coalesce((SELECT notification_id FROM head), 0) = %(last)s::bigint "
                "AND (SELECT chain_hash FROM head) IS NOT DISTINCT FROM %(head)s::bytea "
                "AND coalesce(pg_sequence_last_value({seq}::regclass), 0) = %(last)s::bigint "
                "THEN ARRAY(SELECT nextval({seq}) FROM generate_series(1, %(n)s)) END AS ids), "
                "notified AS (SELECT pg_notify({channel}, '') FROM drawn WHERE drawn.ids = "
                "ARRAY(SELECT generate_series(%(last)s::bigint + 1, %(last)s::bigint + %(n)s))) "
            ).format(schema=schema, e=e, seq=seq, channel=Literal(self.channel_name))
            + columns
            + SQL(
                "SELECT u.oid, u.ver, u.topic, u.state, %(last)s::bigint + u.n, u.eh, u.ch "
                "FROM notified, unnest(%(oids)s::{id_type}[], %(vers)s::bigint[], "
                "%(topics)s::text[], %(states)s::bytea[], %(ehs)s::bytea[], %(chs)s::bytea[]) "
                "WITH ORDINALITY AS u(oid, ver, topic, state, eh, ch, n) "
                "RETURNING notification_id"
            ).format(id_type=id_type)
        )
        self._start_cache()

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        # Several processes may start at once on a new database; CREATE OR REPLACE of the
        # trigger function deadlocks in pg_proc unless the creators take turns.
        curs.execute(SQL("SELECT pg_advisory_xact_lock(%s)"), (SCHEMA_LOCK_KEY,))
        super()._create_table(curs)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        head = self._cached_head()
        rows: list[HashedRow] | None = None
        if head is not None:
            rows = self._insert_after(head, stored_events)
        if rows is None:
            rows = self._insert_reading_head(stored_events)
        self._remember(rows)
        return [r[0] for r in rows]

    def _insert_after(
        self, head: Head, stored_events: Sequence[StoredEvent]
    ) -> list[HashedRow] | None:
        """Insert after the remembered `head` in one round trip (two if links must be read);
        None when another writer has moved the head (nothing was written, no id was drawn)."""
        needed = links_to_read(stored_events)
        with self._cache_lock:
            links = {link: h for link in needed if (h := self._links.get(link)) is not None}
        last_id, chain = head
        with self.datastore.get_connection() as conn:
            missing = [link for link in needed if link not in links]
            if missing:
                # Stored rows never change, and the INSERT below writes only if nothing was
                # appended since `head`, which was committed before this read began.
                with conn.cursor() as curs:
                    links.update(self._read_links(curs, missing))
            ids = range(last_id + 1, last_id + 1 + len(stored_events))
            rows = hash_batch(stored_events, ids, chain, links)
            params = {
                "last": last_id,
                "head": chain if last_id else None,
                "n": len(rows),
                **self._event_arrays(rows),
            }
            return self._in_transaction(conn, params, rows)

    def _insert_reading_head(self, stored_events: Sequence[StoredEvent]) -> list[HashedRow]:
        """Insert reading head, ids and links under the lock: three round trips."""
        needed = links_to_read(stored_events)
        exc: Exception | None = None
        rows: list[HashedRow] = []
        with self.datastore.get_connection() as conn:
            with conn.pipeline() as pipeline, conn.transaction():
                self._begin_append(conn)
                head_c, ids_c, links_c = conn.cursor(), conn.cursor(), conn.cursor()
                head_c.execute(self.select_head_statement, prepare=True)
                ids_c.execute(self.next_ids_statement, (len(stored_events),), prepare=True)
                if needed:
                    self._query_links(links_c, needed)
                pipeline.sync()
                found = head_c.fetchone()
                chain = bytes(found["chain_hash"]) if found else ZERO_HASH
                ids = sorted(int(r["id"]) for r in ids_c.fetchall())
                links = self._fetch_links(links_c) if needed else {}
                rows = hash_batch(stored_events, ids, chain, links)
                with conn.cursor() as insert:
                    try:
                        insert.execute(
                            self.insert_events_statement,
                            tuple(self._event_arrays(rows, ids=True).values()),
                            prepare=True,
                        )
                        pipeline.sync()
                        insert.fetchall()
                    except Exception as e:
                        exc = e  # re-raised after the pipeline is left (no psycopg warning)
            if exc:
                raise exc
        return rows

    def _in_transaction(
        self, conn: Connection[DictRow], params: dict[str, Any], rows: list[HashedRow]
    ) -> list[HashedRow] | None:
        """Lock, run the guarded insert of `rows` and commit, all in one round trip: `rows`
        once committed, or None when the head had moved (nothing written or drawn)."""
        with conn.cursor() as insert:
            try:
                with conn.pipeline(), conn.transaction(), conn.cursor() as lock:
                    for statement in self.lock_table_statements:
                        lock.execute(statement, prepare=True)
                    insert.execute(self.insert_after_head_statement, params, prepare=True)
            except psycopg.Error:  # raised at the pipeline's sync: the COMMIT was not run
                with self._cache_lock:
                    self._head = None  # a conflict drew ids: the sequence has moved on
                if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    with suppress(psycopg.Error):  # the error that stopped the commit is raised
                        conn.rollback()
                raise
            written = [int(r["notification_id"]) for r in insert.fetchall()]
        if not written:
            return None
        if sorted(written) != [r[0] for r in rows]:  # impossible: the SQL compares them
            msg = f"notification ids {written} written for events hashed as {rows[0][0]}..."
            raise ProgrammingError(msg)
        return rows

    def _begin_append(self, conn: Connection[DictRow]) -> None:
        """Queue the lock and the notification of a write."""
        curs = conn.cursor()
        for statement in self.lock_table_statements:
            curs.execute(statement, prepare=True)
        curs.execute(self.notify_statement)

    def _read_links(self, curs: Cursor[DictRow], needed: list[Link]) -> dict[Link, bytes]:
        self._query_links(curs, needed)
        return self._fetch_links(curs)

    def _query_links(self, curs: Cursor[DictRow], needed: list[Link]) -> None:
        curs.execute(
            self.select_links_statement,
            ([oid for oid, _ in needed], [v for _, v in needed]),
            prepare=True,
        )

    @staticmethod
    def _fetch_links(curs: Cursor[DictRow]) -> dict[Link, bytes]:
        return {
            (found["originator_id"], int(found["originator_version"])): bytes(found["event_hash"])
            for found in curs.fetchall()
        }

    @staticmethod
    def _event_arrays(rows: list[HashedRow], *, ids: bool = False) -> dict[str, list[Any]]:
        arrays: dict[str, list[Any]] = {
            "oids": [s.originator_id for _, s, _, _ in rows],
            "vers": [s.originator_version for _, s, _, _ in rows],
            "topics": [s.topic for _, s, _, _ in rows],
            "states": [s.state for _, s, _, _ in rows],
        }
        if ids:
            arrays["ids"] = [nid for nid, _, _, _ in rows]
        arrays["ehs"] = [eh for _, _, eh, _ in rows]
        arrays["chs"] = [ch for _, _, _, ch in rows]
        return arrays
