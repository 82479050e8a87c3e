"""R-LED-4 / R-TRC-3 on a real SQLite file and a real PostgreSQL database: the Merkle log
projection, guarded checkpoint signing, the proof functions behind the API, periodic
checkpoints and key rotation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import Engine, select, text

from ledger.application import CellTraceLedger
from ledger.bootstrap import init_ledger, open_ledger, open_projections
from ledger.config import Settings
from ledger.errors import IntegrityFailure
from ledger.integrity.checkpoints import Checkpoints, log_checkpoints
from ledger.integrity.entries import record_event_hash
from ledger.integrity.log_keys import begin_rotation, finish_rotation, key_history
from ledger.integrity.merkle import leaf_hash, root_of, verify_consistency, verify_inclusion
from ledger.integrity.merkle_log import merkle_leaves
from ledger.integrity.note import open_checkpoint
from ledger.integrity.proofs import TransparencyLog
from ledger.integrity.tlog_proof import verify_item_proof
from ledger.integrity.verify import LogAudit, verify_database
from ledger.projections.merkle import MerkleFollower
from ledger.projections.tracking import view_engine
from tests.attacker import Attacker
from tests.processes import wait_until
from tests.specimen import record_samples


@dataclass
class Log:
    settings: Settings
    app: CellTraceLedger
    engine: Engine

    def catch_up(self) -> int:
        return MerkleFollower(self.engine).catch_up()

    def sign(self) -> str:
        self.catch_up()
        return Checkpoints(self.settings, self.engine).sign()[0].note

    def stored_event_hashes(self) -> list[bytes]:
        nid = "rowid" if self.settings.database.backend == "sqlite" else "notification_id"
        sql = text(f"SELECT event_hash FROM stored_events ORDER BY {nid}")
        with self.engine.connect() as conn:
            return [bytes(row[0]) for row in conn.execute(sql)]

    def checkpoint_count(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(log_checkpoints.c.sequence)).all())


@pytest.fixture
def log(settings: Settings) -> Iterator[Log]:
    # Given a ledger with 4 coded samples (3 events each with their code sequence)
    init_ledger(settings)
    app = open_ledger(settings)
    record_samples(app, 4)
    engine = view_engine(settings)
    yield Log(settings, app, engine)
    app.close()
    engine.dispose()


def test_r_led_4_merkle_log_commits_to_every_event_hash_in_notification_order(log: Log) -> None:
    # When the Merkle log catches up with the ledger
    log.catch_up()
    # Then its leaves are the stored event hashes, dense from 0, in notification order
    hashes = log.stored_event_hashes()
    with log.engine.connect() as conn:
        rows = conn.execute(select(merkle_leaves).order_by(merkle_leaves.c.log_index)).all()
    assert [r.log_index for r in rows] == list(range(len(hashes)))
    assert [bytes(r.event_hash) for r in rows] == hashes
    # And its root is the RFC 9162 root of their leaf hashes
    assert TransparencyLog(log.settings, log.engine).tree.root(len(hashes)) == root_of(
        [leaf_hash(h) for h in hashes]
    )


def test_r_led_4_entries_and_proofs_have_the_api_shapes_and_verify(log: Log) -> None:
    # Given a checkpoint, more events and a second checkpoint
    first, _ = open_checkpoint(log.sign(), key_history(log.settings))
    record_samples(log.app, 2)
    second, _ = open_checkpoint(log.sign(), key_history(log.settings))
    api = TransparencyLog(log.settings, log.engine)
    # When an entry is read / Then its record recomputes its event hash and leaf hash
    entry = api.entry(3)
    assert set(entry) == {"log_index", "notification_id", "event_hash", "leaf_hash", "record"}
    assert record_event_hash(entry["record"]).hex() == entry["event_hash"]
    assert leaf_hash(bytes.fromhex(entry["event_hash"])).hex() == entry["leaf_hash"]
    # And every inclusion proof verifies against the signed root
    for index in range(second.size):
        proof = api.inclusion(index, second.size)
        assert set(proof) == {"index", "size", "leaf_hash", "proof"}
        path = [bytes.fromhex(h) for h in proof["proof"]]
        verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]), index, second.size, path, second.root_hash
        )
    # And the consistency proof between the two checkpoints verifies
    consistency = api.consistency(first.size, second.size)
    assert set(consistency) == {"old", "new", "proof"}
    verify_consistency(
        first.size,
        second.size,
        first.root_hash,
        second.root_hash,
        [bytes.fromhex(h) for h in consistency["proof"]],
    )
    # And the published checkpoint and keys are the latest note and the log key
    assert api.checkpoint().startswith(f"{log.settings.origin}\n{second.size}\n")
    assert api.keys(["extra+00000000+AQ=="]).splitlines()[-1] == "extra+00000000+AQ=="


def test_r_led_4_log_refuses_to_sign_when_its_stored_tree_was_rewritten(log: Log) -> None:
    # Given a checkpoint over every event so far
    signed, _ = open_checkpoint(log.sign(), key_history(log.settings))
    signed_before = log.checkpoint_count()
    # When an attacker rewrites the largest subtree of the signed part, and the log grows
    level = signed.size.bit_length() - 1
    Attacker(log.settings.database).set_merkle_node(level, 0, bytes(32))
    record_samples(log.app, 1)
    # Then the log refuses to sign a tree inconsistent with its last checkpoint
    with pytest.raises(IntegrityFailure, match="not consistent with checkpoint #1"):
        log.sign()
    assert log.checkpoint_count() == signed_before


def test_r_led_4_log_refuses_to_sign_after_the_ledger_was_cut_and_the_log_rebuilt(
    log: Log,
) -> None:
    # Given a checkpoint over every event
    log.sign()
    # When the last 3 events are deleted and the Merkle log rebuilt from what is left
    Attacker(log.settings.database).delete_last_events(3)
    follower = MerkleFollower(log.engine)
    follower.rebuild()
    follower.catch_up()
    # Then the log refuses to sign a shorter tree than it already signed
    with pytest.raises(IntegrityFailure, match="already signed checkpoint #1"):
        Checkpoints(log.settings, log.engine).sign()


def test_r_led_4_concurrent_followers_append_each_event_exactly_once(log: Log) -> None:
    # When two followers catch up at the same moment
    record_samples(log.app, 10)
    errors: list[BaseException] = []

    def follow() -> None:
        try:
            MerkleFollower(log.engine).catch_up(batch_size=7)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=follow) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then every event is a leaf once, in order
    assert errors == []
    with log.engine.connect() as conn:
        leaves = [bytes(r[0]) for r in conn.execute(select(merkle_leaves.c.event_hash))]
    assert leaves == log.stored_event_hashes()


def _wait_for_checkpoints(log: Log, count: int) -> None:
    wait_until(lambda: log.checkpoint_count() >= count, f"{count} checkpoints")


def test_r_led_4_worker_signs_every_n_events_and_right_after_milestones(log: Log) -> None:
    # Given the worker's projections with checkpoints every 6 events, milestone .Annotated
    settings = replace(
        log.settings,
        checkpoint_every_events=6,
        checkpoint_every_seconds=3600,
        checkpoint_milestones=(".NeverRecorded",),
    )
    with open_projections(settings, checkpoints=True) as projections:
        # When the backlog of 12 events is caught up / Then one checkpoint covers it
        _wait_for_checkpoints(log, 1)
        # When 2 more samples (6 events) are recorded / Then another is signed
        projections.wait(record_samples(log.app, 2))
        _wait_for_checkpoints(log, 2)
    milestones = replace(
        settings, checkpoint_every_events=10**6, checkpoint_milestones=(".Annotated",)
    )
    with open_projections(milestones, checkpoints=True) as projections:
        # When one sample is recorded (its second event is Sample.Annotated)
        projections.wait(record_samples(log.app, 1))
        # Then a checkpoint is signed right after it, covering it
        _wait_for_checkpoints(log, 3)
    latest = Checkpoints(log.settings, log.engine).latest()
    assert latest is not None and latest.size == len(log.stored_event_hashes())


def test_r_trc_3_item_proof_covers_every_event_of_the_item_and_verifies(log: Log) -> None:
    # Given the read models and a checkpoint
    open_projections(log.settings).catch_up()
    log.sign()
    api = TransparencyLog(log.settings, log.engine)
    with log.engine.connect() as conn:
        code = conn.execute(text("SELECT item_code FROM timeline LIMIT 1")).scalar_one()
    # When the item's proof is written and verified offline with the published key
    proof = api.item_proof(code)
    verified = verify_item_proof(proof, key_history(log.settings), origin=log.settings.origin)
    # Then it proves every event on the item's timeline
    assert verified.code == code
    assert len(verified.entries) == len(api.item_notification_ids(code)) == 2


def test_r_led_4_rotated_key_is_accepted_and_the_retired_key_alone_is_refused(log: Log) -> None:
    # Given a checkpoint by the first key, a rotation co-signed by both, one by the new key
    log.sign()
    old, new = begin_rotation(log.settings)
    log.catch_up()
    Checkpoints(log.settings, log.engine).sign(signers=[old, new], force=True)
    finish_rotation(log.settings)
    record_samples(log.app, 1)
    latest = log.sign()
    assert f"\u2014 {new.name} " in latest and latest.count("\u2014 ") == 1
    audit = LogAudit(log.settings.origin, tuple(key_history(log.settings)))
    # When the ledger is verified with the published key history / Then all three pass
    report = verify_database(log.settings.database, log=audit)
    assert report.intact and report.checkpoints == 3
    # When someone holding the retired key signs a later checkpoint and stores it
    from ledger.integrity.note import Checkpoint, parse_checkpoint, sign_note

    cp = parse_checkpoint(latest.split("\n\n")[0] + "\n")
    forged = sign_note(Checkpoint(cp.origin, cp.size, cp.root_hash).to_text(), [old])
    Attacker(log.settings.database).insert_checkpoint(cp.size, cp.root_hash, forged)
    # Then verification refuses it: only a retired key signed it
    report = verify_database(log.settings.database, log=audit)
    assert report.first_break is not None
    assert report.first_break.kind == "checkpoint-signature-invalid"
    assert "retired" in report.first_break.message
