"""R-LED-3: the SQLite recorder's polling subscription never misses an event written while it
starts (a busy machine once left `test_insert_subscribe` waiting for ever)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.sqlite import SQLiteDatastore

from ledger.integrity.recorders import HashChainSQLiteRecorder

BOUND_SECONDS = 20


def test_r_led_3_an_event_written_as_the_subscription_starts_is_delivered(
    tmp_path: Path,
) -> None:
    # Given a recorder whose head is first read by the polling thread only after the
    # subscription's first pull found nothing, and just after an event was written
    recorder = HashChainSQLiteRecorder(SQLiteDatastore(str(tmp_path / "ledger.db")))
    recorder.create_table()
    first_pull = threading.Event()
    written = threading.Event()
    select, head = recorder.select_notifications, recorder.max_notification_id

    def pulled(*args: object, **kwargs: object) -> list[Notification]:
        found = select(*args, **kwargs)  # type: ignore[arg-type]
        first_pull.set()
        return found

    def late_head() -> int | None:
        if threading.current_thread() is not threading.main_thread() and not written.is_set():
            assert first_pull.wait(BOUND_SECONDS)
            event = StoredEvent(uuid.uuid4(), 1, "topic", b"state")
            recorder.insert_events([event])
            written.set()
        return head()

    recorder.select_notifications = pulled  # type: ignore[method-assign]
    recorder.max_notification_id = late_head  # type: ignore[method-assign]
    # When the subscription is read
    received: list[Notification] = []
    with recorder.subscribe(gt=0) as subscription:

        def read() -> None:
            for notification in subscription:
                received.append(notification)
                break

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(BOUND_SECONDS)
        delivered = not reader.is_alive()
        subscription.stop()
    # Then the event written while it started is delivered
    assert delivered and written.is_set(), "the event was never delivered"
    assert [n.id for n in received] == [1]
