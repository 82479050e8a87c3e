"""R-LED-4: the Merkle log worked example in docs/ledger-format.md is recomputed from the
document: leaves, stored node, roots, proofs, key ID, verifier key, checkpoint and tlog-proof."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.integrity.chain import event_hash
from ledger.integrity.entries import record_event_hash
from ledger.integrity.merkle import (
    InMemoryNodes,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_at,
    verify_inclusion,
)
from ledger.integrity.note import Checkpoint, Signer, open_checkpoint, sign_note
from ledger.integrity.tlog_proof import parse_tlog_proof
from tests.unit.test_ledger_format_doc import _examples

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger-format.md"


def _section() -> tuple[dict[str, str], list[str]]:
    text = DOC.read_text(encoding="utf-8").split("### Worked example (Merkle log)", 1)[1]
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    values = dict(line.split(": ", 1) for line in blocks[0].strip().splitlines())
    return values, blocks[1:]


def test_r_led_4_merkle_worked_example_in_ledger_format_doc_recomputes() -> None:
    # Given the documented events 1 and 2 and the documented third event
    values, (checkpoint_note, tlog_proof) = _section()
    first, second = _examples()
    third = event_hash(
        int(values["event3_notification_id"]),
        values["event3_originator_id"],
        int(values["event3_originator_version"]),
        values["event3_topic"],
        values["event3_state"].encode(),
        bytes.fromhex(values["event3_previous_event_hash"]),
    )
    assert third.hex() == values["event3_event_hash"]
    hashes = [bytes.fromhex(first["event_hash"]), bytes.fromhex(second["event_hash"]), third]
    # When the tree is built from them
    nodes = InMemoryNodes()
    nodes.append_leaves([leaf_hash(h) for h in hashes])
    # Then leaves, the stored node, roots and proofs equal the documented values
    for i, h in enumerate(hashes):
        assert leaf_hash(h).hex() == values[f"leaf_hash_{i}"]
    assert nodes.get_nodes([(1, 0)])[0].hex() == values["node_1_0"]
    assert node_hash(bytes.fromhex(values["node_1_0"]), leaf_hash(third)).hex() == values["root_3"]
    for size in (1, 2, 3):
        assert root_at(nodes, size).hex() == values[f"root_{size}"]
    assert " ".join(h.hex() for h in inclusion_proof(nodes, 1, 3)) == values["inclusion_1_3"]
    for old in (1, 2):
        proof = " ".join(h.hex() for h in consistency_proof(nodes, old, 3))
        assert proof == values[f"consistency_{old}_3"]
    # And the example key gives the documented key ID, verifier key and signed checkpoint
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(values["key_seed"]))
    signer = Signer(key, values["key_name"])
    assert signer.key_id.hex() == values["key_id"]
    assert signer.verifier().key_string() == values["verifier_key"]
    text = Checkpoint(values["key_name"], 3, root_at(nodes, 3)).to_text()
    assert sign_note(text, [signer]) == checkpoint_note
    # And the documented tlog-proof verifies: its record recomputes event 2, proven included
    entry, note = parse_tlog_proof(tlog_proof)
    checkpoint, _ = open_checkpoint(note, [signer.verifier()])
    leaf = leaf_hash(record_event_hash(entry.record))
    verify_inclusion(leaf, entry.index, checkpoint.size, entry.proof, checkpoint.root_hash)
    assert entry.index == 1 and leaf.hex() == values["leaf_hash_1"]
