"""R-LED-3: every kind of edit to the stored ledger is detected by `celltrace verify`,
on a real SQLite file and on a real PostgreSQL database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from ledger.application import Actor, CellTraceLedger
from ledger.bootstrap import init_ledger, open_ledger
from ledger.config import Settings
from tests.attacker import Attacker
from tests.cli import run_in_process
from tests.specimen import Specimen, record_samples


def run_verify(settings: Settings, *args: str) -> tuple[int, dict[str, object]]:
    code, out = run_in_process(settings, "verify", "--json", *args)
    return code, json.loads(out)


@pytest.fixture
def ledger(settings: Settings) -> Iterator[CellTraceLedger]:
    # Given a ledger with 3 aggregates of 3 events each: notification ids 1..9
    init_ledger(settings)
    app = open_ledger(settings)
    operator = Actor("PER-TEST", "operator")
    for n in range(3):
        with app.command(operator):
            specimen = Specimen(f"specimen {n}")
            specimen.annotate("thawed")
            specimen.annotate("passaged")
        app.record(specimen)
    yield app
    app.close()


def broken(settings: Settings, *args: str) -> dict[str, object]:
    code, report = run_verify(settings, *args)
    assert code == 1, report
    assert report["intact"] is False
    brk = report["break"]
    assert isinstance(brk, dict)
    return brk


def test_r_led_3_intact_ledger_verifies(ledger: CellTraceLedger) -> None:
    # When the untouched ledger is verified
    code, report = run_verify(ledger.settings)
    # Then it is intact and all 9 events were checked
    assert code == 0
    assert report["events_verified"] == 9
    assert str(report["chain_head"]).startswith("9:")


def test_r_led_3_changed_state_byte_is_detected(ledger: CellTraceLedger) -> None:
    # When one byte of event 5's stored state is flipped
    Attacker(ledger.settings.database).flip_state_byte(5)
    # Then verification names record 5 as altered
    brk = broken(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("event-altered", 5)


def test_r_led_3_deleted_middle_event_is_detected(ledger: CellTraceLedger) -> None:
    # When event 5 (the second event of the second aggregate) is deleted
    Attacker(ledger.settings.database).delete_event(5)
    # Then verification names record 6, whose aggregate predecessor (version 2) is gone
    brk = broken(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("aggregate-link-broken", 6)


def test_r_led_3_deleted_first_event_of_an_aggregate_breaks_the_chain(
    ledger: CellTraceLedger,
) -> None:
    # When event 4 (the first event of the second aggregate) is deleted
    Attacker(ledger.settings.database).delete_event(4)
    # Then record 5 no longer links: to the missing version 1 and to record 3 in the chain
    brk = broken(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("aggregate-link-broken", 5)


def test_r_led_3_deleted_last_event_is_caught_by_kept_head(ledger: CellTraceLedger) -> None:
    # Given the auditor kept the chain head after event 9
    _, before = run_verify(ledger.settings)
    kept = str(before["chain_head"])
    # When the attacker removes the last event (a clean truncation)
    Attacker(ledger.settings.database).delete_event(9)
    # Then the kept head names the missing record 9
    brk = broken(ledger.settings, "--chain-head", kept)
    assert (brk["kind"], brk["notification_id"]) == ("truncated", 9)


def test_r_led_3_swapped_events_are_detected(ledger: CellTraceLedger) -> None:
    # When events 2 and 3 exchange their positions in the log
    Attacker(ledger.settings.database).swap(2, 3)
    # Then verification names record 2
    brk = broken(ledger.settings)
    assert brk["notification_id"] == 2
    assert brk["kind"] in {"event-altered", "aggregate-link-broken"}


def test_r_led_3_inserted_event_is_detected(ledger: CellTraceLedger) -> None:
    # When an attacker appends an event of their own
    attacker = Attacker(ledger.settings.database)
    _, oid, version, topic, state = attacker.rows()[-1]
    new = attacker.insert_event(oid, version + 1, topic, bytes(state))
    # Then verification names the inserted record
    brk = broken(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("event-altered", new)


def test_r_led_3_changed_topic_is_detected(ledger: CellTraceLedger) -> None:
    # When event 6's topic is rewritten to another event type
    attacker = Attacker(ledger.settings.database)
    attacker.set_topic(6, "tests.specimen:Specimen.Registered")
    # Then verification names record 6
    brk = broken(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("event-altered", 6)


def test_r_led_3_changed_originator_is_detected(ledger: CellTraceLedger) -> None:
    # When event 7 (version 1 of the third aggregate) is re-attributed to a new aggregate id
    attacker = Attacker(ledger.settings.database)
    other = uuid.UUID(int=1)
    value = other.hex if ledger.settings.database.backend == "sqlite" else str(other)
    attacker.set_originator(7, value)
    # Then verification names record 7
    brk = broken(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("event-altered", 7)


def test_r_led_3_rehashed_history_is_caught_by_kept_chain_head(ledger: CellTraceLedger) -> None:
    # Given the auditor kept the chain head after event 9
    _, before = run_verify(ledger.settings)
    kept = str(before["chain_head"])
    # When the attacker edits event 3 and recomputes every hash from there on
    attacker = Attacker(ledger.settings.database)
    state = bytes(attacker.rows()[2][4]).replace(b"passaged", b"discarded")
    attacker.rehash_from(3, {3: state})
    # Then the ledger is self-consistent, but the kept head names record 9 as rewritten
    assert run_verify(ledger.settings)[0] == 0
    brk = broken(ledger.settings, "--chain-head", kept)
    assert (brk["kind"], brk["notification_id"]) == ("history-rewritten", 9)


def test_r_led_1_sqlite_triggers_refuse_update_and_delete(sqlite_settings: Settings) -> None:
    # Given an SQLite ledger with events (the PostgreSQL triggers are tested in tests/postgres)
    import sqlite3

    init_ledger(sqlite_settings)
    app = open_ledger(sqlite_settings)
    record_samples(app, 2)
    app.close()
    # When anyone edits or deletes through the database while the triggers are in place
    conn = sqlite3.connect(str(sqlite_settings.database.sqlite_path))
    # Then SQLite refuses with the R-LED-1 message
    for sql in ("UPDATE stored_events SET topic = 'x'", "DELETE FROM stored_events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()
