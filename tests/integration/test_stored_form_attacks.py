"""R-LED-7, R-LED-3: edits to how a stored row is encoded, and to the Merkle log's tables off
the root's path, are reported by `celltrace verify` (exit 1, the finding and the item named),
never accepted and never a traceback."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.application import AggregateNotFoundError

from ledger.application import Actor, CellTraceLedger
from ledger.bootstrap import init_ledger, open_ledger
from ledger.config import Settings
from tests.attacker import Attacker
from tests.cli import run_in_process
from tests.specimen import Specimen

run = run_in_process


def finding(settings: Settings, *args: str) -> dict[str, object]:
    code, out = run(settings, "verify", "--json", *args)
    report = json.loads(out)
    assert code == 1, report
    brk = report["break"]
    assert isinstance(brk, dict)
    return brk


@pytest.fixture
def ledger(settings: Settings) -> Iterator[CellTraceLedger]:
    yield from _ledger(settings)


@pytest.fixture
def sqlite_ledger(sqlite_settings: Settings) -> Iterator[CellTraceLedger]:
    """SQLite only: PostgreSQL stores the id as `uuid` (see the PostgreSQL test below)."""
    yield from _ledger(sqlite_settings)


def _ledger(settings: Settings) -> Iterator[CellTraceLedger]:
    # Given 3 aggregates of 3 events each (notification ids 1..9) and a signed checkpoint
    init_ledger(settings)
    app = open_ledger(settings)
    for n in range(3):
        with app.command(Actor("PER-TEST", "operator")):
            specimen = Specimen(f"specimen {n}")
            specimen.annotate("thawed")
            specimen.annotate("passaged")
        app.record(specimen)
    code, out = run(settings, "checkpoint")
    assert code == 0, out
    yield app
    app.close()


def kept_anchors(settings: Settings, tmp_path: Path) -> list[str]:
    """A chain head and a checkpoint, kept outside the system by an auditor."""
    code, out = run(settings, "verify", "--json")
    assert code == 0, out
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(run(settings, "checkpoint")[1])
    return ["--chain-head", json.loads(out)["chain_head"], "--checkpoint", str(kept)]


@pytest.mark.parametrize("encode", [lambda u: u.hex.upper(), str], ids=["upper", "hyphenated"])
def test_r_led_7_re_encoded_originator_id_is_identity_altered(
    sqlite_ledger: CellTraceLedger, tmp_path: Path, encode: object
) -> None:
    ledger = sqlite_ledger
    anchors = kept_anchors(ledger.settings, tmp_path)
    # When the id of record 4 (the second aggregate's first event) is re-encoded
    row = Attacker(ledger.settings.database).rows()[3]
    oid = uuid.UUID(hex=str(row[1]))
    assert callable(encode)
    Attacker(ledger.settings.database).set_originator(4, encode(oid))
    # Then the application can no longer load that aggregate...
    fresh = open_ledger(ledger.settings)
    with pytest.raises((AggregateNotFoundError, AssertionError)):  # its first event is lost
        fresh.repository.get(oid)
    fresh.close()
    # ...and verify names the record as identity-altered, even with the kept anchors
    for args in ([], anchors):
        brk = finding(ledger.settings, *args)
        assert (brk["kind"], brk["notification_id"]) == ("identity-altered", 4)
        assert "originator id is stored as" in str(brk["message"])


def test_r_led_7_postgres_cannot_store_a_re_encoded_id(pg_settings: Settings) -> None:
    # Given a PostgreSQL ledger with one aggregate
    init_ledger(pg_settings)
    app = open_ledger(pg_settings)
    with app.command(Actor("PER-TEST", "operator")):
        specimen = Specimen("specimen")
    app.record(specimen)
    # When the attacker writes its id upper-case and hyphen-less
    Attacker(pg_settings.database).set_originator(1, specimen.id.hex.upper())
    # Then the `uuid` column stores the canonical value: the aggregate still loads, intact
    assert app.repository.get(specimen.id).id == specimen.id
    assert run(pg_settings, "verify", "--json")[0] == 0
    app.close()


def test_r_led_3_state_stored_as_text_is_event_altered(sqlite_ledger: CellTraceLedger) -> None:
    ledger = sqlite_ledger  # PostgreSQL's bytea column cannot hold text
    # When record 5's state is stored as TEXT (same characters) instead of BLOB
    Attacker(ledger.settings.database).set_column(5, "state", "CAST(state AS TEXT)")
    # Then verify reports it (exit 1, no traceback)
    brk = finding(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("event-altered", 5)
    assert "state is stored as text" in str(brk["message"])


def test_r_led_3_empty_hash_columns_are_an_unhashed_event(ledger: CellTraceLedger) -> None:
    # When record 5's event hash is emptied (the column is NOT NULL, so an empty value)
    empty = "X''" if ledger.settings.database.backend == "sqlite" else "''::bytea"
    Attacker(ledger.settings.database).set_column(5, "event_hash", empty)
    # Then verify reports the record as unhashed, as docs/ledger-format.md says
    brk = finding(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("unhashed-event", 5)


def test_r_led_7_overwritten_merkle_node_off_the_root_path_is_found(
    ledger: CellTraceLedger,
) -> None:
    # When node (level 1, index 0) - leaves 0 and 1, not read for the root of 9 - is overwritten
    Attacker(ledger.settings.database).set_merkle_node(1, 0, bytes(32))
    # Then verify names that node
    brk = finding(ledger.settings)
    assert brk["kind"] == "merkle-log-altered"
    assert "node (level 1, index 0)" in str(brk["message"])


def test_r_led_7_overwritten_merkle_leaf_off_the_root_path_is_found(
    ledger: CellTraceLedger,
) -> None:
    # When leaf 5 (inside the complete subtree of 8 read for the root of 9) is overwritten
    Attacker(ledger.settings.database).set_merkle_leaf(5, bytes(32))
    # Then verify names that leaf and its notification id
    brk = finding(ledger.settings)
    assert (brk["kind"], brk["notification_id"]) == ("merkle-log-altered", 6)
    assert "leaf 5 stores notification 6" in str(brk["message"])


def test_r_led_3_truncated_message_names_an_empty_ledger(sqlite_ledger: CellTraceLedger) -> None:
    ledger = sqlite_ledger
    # Given a kept chain head, When every event is deleted with the tree and checkpoints
    _, out = run(ledger.settings, "verify", "--json")
    head = json.loads(out)["chain_head"]
    attacker = Attacker(ledger.settings.database)
    attacker.forget_transparency_log()
    attacker.delete_last_events(9)
    # Then the kept head reports the truncation in words, never "record None"
    brk = finding(ledger.settings, "--chain-head", head)
    assert brk["kind"] == "truncated"
    assert "the ledger is empty" in str(brk["message"])
    assert "None" not in str(brk["message"])
