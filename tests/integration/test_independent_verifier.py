"""R-LED-3, R-LED-4, R-LED-7: a verifier written only from docs/ledger-format.md
(`tests/independent_verifier.py`, standard library and `cryptography`) reads the attacked
SQLite file itself and reaches the same verdict as `celltrace verify` on every attack: the
document is enough to check CellTrace without its code."""

from __future__ import annotations

import ast
import json
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.application import Actor
from ledger.bootstrap import init_ledger, open_ledger
from ledger.config import Settings
from ledger.integrity.log_keys import log_signer, verifier_key_lines
from ledger.integrity.note import Checkpoint, Signer, sign_note
from tests import independent_verifier
from tests.attacker import Attacker
from tests.cli import run_in_process
from tests.specimen import Specimen, record_samples

Attack = Callable[[Settings, Attacker], None]
RECORD_KINDS = {
    "unhashed-event",
    "identity-altered",
    "event-altered",
    "aggregate-link-broken",
    "chain-broken",
}


run = run_in_process


def original_id(attacker: Attacker, nid: int) -> uuid.UUID:
    return uuid.UUID(hex=str(attacker.rows()[nid - 1][1]))


def forge_checkpoint(settings: Settings, attacker: Attacker, size: int, signer: Signer) -> None:
    note = sign_note(Checkpoint(settings.origin, size, bytes(32)).to_text(), [signer])
    attacker.insert_checkpoint(size, bytes(32), note)


def rehash(settings: Settings, attacker: Attacker) -> None:
    state = bytes(attacker.rows()[2][4]).replace(b"passaged", b"discarded")
    attacker.rehash_from(3, {3: state})


ATTACKS: dict[str, Attack] = {
    "intact": lambda s, a: None,
    "state byte edited": lambda s, a: a.flip_state_byte(5),
    "topic edited": lambda s, a: a.set_topic(6, "tests.specimen:Specimen.Registered"),
    "middle event deleted": lambda s, a: a.delete_event(5),
    "first event of an aggregate deleted": lambda s, a: a.delete_event(4),
    "events swapped": lambda s, a: a.swap(4, 5),
    "event inserted": lambda s, a: a.insert_event(uuid.uuid4().hex, 1, "x:Y.Z", b"{}"),
    "id upper-cased": lambda s, a: a.set_originator(4, original_id(a, 4).hex.upper()),
    "id hyphenated": lambda s, a: a.set_originator(4, str(original_id(a, 4))),
    "state stored as TEXT": lambda s, a: a.set_column(5, "state", "CAST(state AS TEXT)"),
    "event hash emptied": lambda s, a: a.set_column(5, "event_hash", "X''"),
    "chain hash replaced": lambda s, a: a.set_column(5, "chain_hash", "randomblob(32)"),
    "Merkle node off the root path": lambda s, a: a.set_merkle_node(1, 0, bytes(32)),
    "Merkle leaf off the root path": lambda s, a: a.set_merkle_leaf(5, bytes(32)),
    "last events deleted": lambda s, a: a.delete_last_events(2),
    "history re-hashed": rehash,
    "checkpoint by another key": lambda s, a: forge_checkpoint(s, a, 12, Signer.generate(s.origin)),
    "smaller checkpoint by the log key": lambda s, a: forge_checkpoint(s, a, 3, log_signer(s)),
    "ledger emptied": lambda s, a: a.empty_tables(
        "stored_events", "log_checkpoints", "merkle_leaves", "merkle_nodes"
    ),
}


@pytest.fixture
def signed_ledger(sqlite_settings: Settings) -> Settings:
    # Given 3 aggregates of 3 events (records 1..9), 2 coded samples tracked by the read models
    # (records 10..13), integrated into the Merkle log and signed
    init_ledger(sqlite_settings)
    app = open_ledger(sqlite_settings)
    for n in range(3):
        with app.command(Actor("PER-TEST", "operator")):
            specimen = Specimen(f"specimen {n}")
            specimen.annotate("thawed")
            specimen.annotate("passaged")
        app.record(specimen)
    record_samples(app, 2)
    app.close()
    assert run(sqlite_settings, "checkpoint")[0] == 0
    assert run(sqlite_settings, "verify", "--read-models")[0] == 0  # brings nothing; checks
    return sqlite_settings


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_r_led_7_independent_verifier_agrees_with_celltrace_verify(
    signed_ledger: Settings, attack: str
) -> None:
    # When the attack is made on the SQLite file
    ATTACKS[attack](signed_ledger, Attacker(signed_ledger.database))
    # Then `celltrace verify` and the verifier written from the document agree
    code, out = run(signed_ledger, "verify", "--json")
    report = json.loads(out)
    brk = report["break"]
    theirs = independent_verifier.verify(
        signed_ledger.database.sqlite_path,  # type: ignore[arg-type]
        verifier_key_lines(signed_ledger).splitlines(),
        signed_ledger.origin,
    )
    if attack == "intact":
        assert (code, brk, theirs) == (0, None, None)
        return
    assert code == 1, report
    assert theirs is not None, f"the document's verifier finds nothing; celltrace: {brk}"
    assert theirs[0] == brk["kind"], (theirs, brk)
    if brk["kind"] in RECORD_KINDS:
        assert theirs[1] == brk["notification_id"], (theirs, brk)


def test_r_led_7_every_finding_kind_of_the_document_is_exercised() -> None:
    # Given the finding kinds docs/ledger-format.md defines
    doc = (Path(__file__).parents[2] / "docs" / "ledger-format.md").read_text()
    kinds = {
        "unhashed-event",
        "identity-altered",
        "event-altered",
        "aggregate-link-broken",
        "chain-broken",
        "history-rewritten",
        "truncated",
        "checkpoint-signature-invalid",
        "checkpoint-inconsistent",
        "merkle-log-altered",
    }
    assert all(f"`{kind}`" in doc for kind in kinds)
    # Then each is the expected outcome of an attack above (rolled-back needs a kept
    # checkpoint: tests/integration/test_transparency_attacks.py)
    expected = {
        "state byte edited": "event-altered",
        "middle event deleted": "aggregate-link-broken",
        "id upper-cased": "identity-altered",
        "event hash emptied": "unhashed-event",
        "chain hash replaced": "chain-broken",
        "Merkle node off the root path": "merkle-log-altered",
        "last events deleted": "truncated",
        "history re-hashed": "history-rewritten",
        "checkpoint by another key": "checkpoint-signature-invalid",
        "smaller checkpoint by the log key": "checkpoint-inconsistent",
    }
    assert set(expected.values()) == kinds - {"rolled-back"}
    assert set(expected) <= set(ATTACKS)


@pytest.mark.parametrize(
    "attack",
    [
        "state byte edited",
        "middle event deleted",
        "id upper-cased",
        "event hash emptied",
        "chain hash replaced",
        "Merkle node off the root path",
        "last events deleted",
        "history re-hashed",
        "checkpoint by another key",
        "smaller checkpoint by the log key",
    ],
)
def test_r_led_7_each_attack_yields_its_documented_finding(
    signed_ledger: Settings, attack: str
) -> None:
    kinds = {
        "state byte edited": "event-altered",
        "middle event deleted": "aggregate-link-broken",
        "id upper-cased": "identity-altered",
        "event hash emptied": "unhashed-event",
        "chain hash replaced": "chain-broken",
        "Merkle node off the root path": "merkle-log-altered",
        "last events deleted": "truncated",
        "history re-hashed": "history-rewritten",
        "checkpoint by another key": "checkpoint-signature-invalid",
        "smaller checkpoint by the log key": "checkpoint-inconsistent",
    }
    ATTACKS[attack](signed_ledger, Attacker(signed_ledger.database))
    report = json.loads(run(signed_ledger, "verify", "--json")[1])
    assert report["break"]["kind"] == kinds[attack]


def test_r_led_7_independent_verifier_uses_only_the_standard_library_and_cryptography() -> None:
    source = Path(independent_verifier.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}
