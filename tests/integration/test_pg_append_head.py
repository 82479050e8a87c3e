"""R-LED-3 on PostgreSQL: the hash-chain recorder remembers the chain head it committed and
appends after it in one pipelined transaction, but only while nothing else appended or drew a
notification id meanwhile; otherwise it reads the head under the lock, so the chain stays one
and the ids are drawn from the sequence exactly as without the remembered head."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresDatastore

from ledger.config import DatabaseURL
from ledger.integrity.pg_recorder import HashChainPostgresRecorder
from ledger.integrity.verify import LedgerReader, verify_database
from tests.conftest import pg_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_writers(pg_database: DatabaseURL) -> Iterator[list[HashChainPostgresRecorder]]:
    """Two recorders on one database, each with its own connections (as two processes)."""
    recorders = []
    for _ in range(2):
        datastore = PostgresDatastore(
            dbname=pg_database.dbname,
            host=pg_database.host,
            port=pg_database.port,
            user=pg_database.user,
            password=pg_database.password,
            lock_timeout=30,
        )
        recorder = HashChainPostgresRecorder(datastore)
        recorder.create_table()
        recorders.append(recorder)
    yield recorders
    for recorder in recorders:
        recorder.datastore.close()


def _events(oid: UUID, versions: range) -> list[StoredEvent]:
    return [StoredEvent(oid, v, "tests:Event", f"state {v}".encode()) for v in versions]


def _ids(db: DatabaseURL) -> list[int]:
    return [r.notification_id for r in LedgerReader(db).records()]


def test_r_led_3_a_writer_appending_between_saves_is_seen_and_the_chain_stays_one(
    pg_database: DatabaseURL, two_writers: list[HashChainPostgresRecorder]
) -> None:
    # Given two writers that take turns, so each one's remembered head is always stale
    first, second = two_writers
    item = uuid4()
    first.insert_events(_events(item, range(1, 3)))
    # When each appends in turn, the first also to the same item (linking to earlier events)
    for n in range(5):
        second.insert_events(_events(uuid4(), range(1, 4)))
        first.insert_events(_events(item, range(3 + n, 4 + n)))
    # Then every event landed once, in one chain that verifies
    report = verify_database(pg_database)
    assert report.intact, report.first_break
    assert report.events == 2 + 5 * 3 + 5
    # And no notification id was drawn in vain: a stale head drew none
    assert _ids(pg_database) == list(range(1, 23))


def test_r_led_3_ids_a_rolled_back_writer_drew_are_skipped_as_before(
    pg_database: DatabaseURL, two_writers: list[HashChainPostgresRecorder]
) -> None:
    # Given a writer whose remembered head is the table's head
    first, second = two_writers
    taken = uuid4()
    first.insert_events(_events(taken, range(1, 2)))
    first.insert_events(_events(uuid4(), range(1, 2)))
    # When another writer's save of three events conflicts and is rolled back (it drew 3 ids)
    with pytest.raises(IntegrityError):
        second.insert_events(_events(taken, range(1, 4)))
    assert _ids(pg_database) == [1, 2]
    # Then the next save notices the sequence moved and takes the next id, drawing none in vain
    assert first.insert_events(_events(uuid4(), range(1, 3))) == [6, 7]
    assert first.insert_events(_events(uuid4(), range(1, 2))) == [8]
    # And the chain verifies
    report = verify_database(pg_database)
    assert report.intact, report.first_break
    assert _ids(pg_database) == [1, 2, 6, 7, 8]


def test_r_led_3_own_conflict_rolls_back_and_the_next_save_follows_the_committed_head(
    pg_database: DatabaseURL, two_writers: list[HashChainPostgresRecorder]
) -> None:
    # Given one writer alone, its head remembered
    first, _ = two_writers
    item = uuid4()
    first.insert_events(_events(item, range(1, 3)))
    # When its own save conflicts (version 2 exists), after drawing two ids
    with pytest.raises(IntegrityError):
        first.insert_events(_events(item, range(2, 4)))
    # Then nothing of it was written, and the next save follows the committed head
    assert first.insert_events(_events(item, range(3, 4))) == [5]
    report = verify_database(pg_database)
    assert report.intact, report.first_break
    assert _ids(pg_database) == [1, 2, 5]


def test_r_led_3_a_save_after_the_remembered_head_notifies_listeners_once_committed(
    pg_database: DatabaseURL, two_writers: list[HashChainPostgresRecorder]
) -> None:
    # Given a writer with its head remembered, and a session listening as the projections do
    first, _ = two_writers
    first.insert_events(_events(uuid4(), range(1, 2)))
    with psycopg.connect(pg_url(pg_database), autocommit=True) as listener:
        listener.execute("LISTEN stored_events")
        # When it saves after that head
        ids = first.insert_events(_events(uuid4(), range(1, 3)))
        # Then the listeners hear of it on the ledger's channel, as NOTIFY tells them
        heard = list(listener.notifies(timeout=30, stop_after=1))
    assert ids == [2, 3]
    assert [(n.channel, n.payload) for n in heard] == [("stored_events", "")]
