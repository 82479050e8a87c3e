"""R-TRC-3 / R-LED-4: item proofs in the c2sp.org/tlog-proof style: entry records recompute
the event hash, proofs round-trip, split into standard tlog-proofs, and every fault is refused."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.integrity.chain import ZERO_HASH, event_hash
from ledger.integrity.entries import entry_json, entry_record, record_event_hash
from ledger.integrity.merkle import (
    InMemoryNodes,
    ProofError,
    inclusion_proof,
    leaf_hash,
    root_at,
)
from ledger.integrity.note import Checkpoint, Signer, UnknownKeyError, sign_note
from ledger.integrity.offline import check_proof
from ledger.integrity.records import StoredRecord
from ledger.integrity.tlog_proof import (
    ITEM_PROOF_HEADER,
    REPORT_PROOF_HEADER,
    TLOG_PROOF_HEADER,
    ProofFormatError,
    ProvenEntry,
    format_item_proof,
    format_report_proof,
    parse_item_proof,
    parse_tlog_proof,
    split_item_proof,
    verify_item_proof,
)

ORIGIN = "celltrace.example/ledger"
OID = "0b7e6a52-2f0c-5d43-9a4e-6f1c2d3b4a59"
SIGNER = Signer(Ed25519PrivateKey.from_private_bytes(bytes(range(32))), ORIGIN)


def _records(n: int) -> list[StoredRecord]:
    """n events of one aggregate, hash-linked, at notification ids 1..n."""
    out, previous = [], ZERO_HASH
    for version in range(1, n + 1):
        state = json.dumps({"step": version}).encode()
        this = event_hash(version, OID, version, "tests:Item.Stepped", state, previous)
        out.append(
            StoredRecord(version, OID, version, "tests:Item.Stepped", state, this, this, previous)
        )
        previous = this
    return out


def _proof(n: int = 5, proven: tuple[int, ...] = (1, 3)) -> str:
    records = _records(n)
    nodes = InMemoryNodes()
    nodes.append_leaves([leaf_hash(r.event_hash or b"") for r in records])
    note = sign_note(Checkpoint(ORIGIN, n, root_at(nodes, n)).to_text(), [SIGNER])
    entries = [
        ProvenEntry(i, entry_record(records[i]), tuple(inclusion_proof(nodes, i, n)))
        for i in proven
    ]
    return format_item_proof("CEL-F01-26-000001-X", entries, note)


def test_r_led_3_entry_record_recomputes_the_stored_event_hash() -> None:
    # Given a stored record / When it is published as an entry
    record = _records(2)[1]
    entry = entry_json(1, record)
    # Then the hashed fields alone recompute its event hash and leaf hash
    assert entry["event_hash"] == record.event_hash.hex()  # type: ignore[union-attr]
    assert record_event_hash(entry["record"]).hex() == entry["event_hash"]
    assert entry["leaf_hash"] == leaf_hash(bytes.fromhex(entry["event_hash"])).hex()
    assert base64.b64decode(entry["record"]["state"]) == record.state


def test_r_trc_3_item_proof_round_trips_and_verifies() -> None:
    # Given a proof of events 1 and 3 of a 5-event log
    text = _proof()
    # When it is parsed and verified with the log key
    parsed = parse_item_proof(text)
    verified = verify_item_proof(text, [SIGNER.verifier()], origin=ORIGIN)
    # Then both entries are proven against the size-5 checkpoint
    assert text.startswith(f"{ITEM_PROOF_HEADER}\nitem CEL-F01-26-000001-X\nextra ")
    assert [e.index for e in verified.entries] == [1, 3]
    assert verified.checkpoint.size == 5
    assert format_item_proof(parsed.code, parsed.entries, parsed.checkpoint_note) == text


def test_r_trc_3_item_proof_splits_into_standard_tlog_proofs() -> None:
    # Given an item proof / When it is split per entry
    singles = split_item_proof(parse_item_proof(_proof()))
    # Then each is a c2sp.org/tlog-proof@v1 with extra, index, hashes, blank line, checkpoint
    assert len(singles) == 2
    for text, index in zip(singles, (1, 3), strict=True):
        lines = text.split("\n")
        assert lines[0] == TLOG_PROOF_HEADER
        assert lines[1].startswith("extra ") and lines[2] == f"index {index}"
        entry, note = parse_tlog_proof(text)
        assert entry.index == index and note.startswith(f"{ORIGIN}\n5\n")


def test_r_trc_3_item_proof_with_an_edited_record_is_refused() -> None:
    # Given a proof whose first entry's state was edited
    parsed = parse_item_proof(_proof())
    first = parsed.entries[0]
    forged = {**first.record, "state": base64.b64encode(b'{"step":99}').decode()}
    entries = (ProvenEntry(first.index, forged, first.proof), *parsed.entries[1:])
    text = format_item_proof(parsed.code, entries, parsed.checkpoint_note)
    # When verified / Then the recomputed event is not in the checkpoint
    with pytest.raises(ProofError, match=r"entry 1 .* is not in the checkpoint"):
        verify_item_proof(text, [SIGNER.verifier()])


def test_r_trc_3_item_proof_claiming_another_index_is_refused() -> None:
    # Given a proof whose entry claims index 2 with the proof of index 1
    parsed = parse_item_proof(_proof())
    first = parsed.entries[0]
    text = format_item_proof(
        parsed.code, (ProvenEntry(2, first.record, first.proof),), parsed.checkpoint_note
    )
    # When verified / Then refused
    with pytest.raises(ProofError, match="not in the checkpoint"):
        verify_item_proof(text, [SIGNER.verifier()])


def test_r_trc_3_item_proof_signed_by_another_key_is_refused() -> None:
    # Given a valid proof / When verified with a different log key / Then refused
    other = Signer.generate(ORIGIN).verifier()
    with pytest.raises(UnknownKeyError):
        verify_item_proof(_proof(), [other])


def test_r_trc_3_item_proof_whose_versions_do_not_link_is_refused() -> None:
    # Given a log whose version 2 was hashed over a wrong previous hash (a forked aggregate)
    first = _records(1)[0]
    state = b'{"step":2}'
    wrong = bytes(32)
    second_hash = event_hash(2, OID, 2, "tests:Item.Stepped", state, wrong)
    second = StoredRecord(2, OID, 2, "tests:Item.Stepped", state, second_hash, None, wrong)
    nodes = InMemoryNodes()
    nodes.append_leaves([leaf_hash(r.event_hash or b"") for r in (first, second)])
    note = sign_note(Checkpoint(ORIGIN, 2, root_at(nodes, 2)).to_text(), [SIGNER])
    entries = [
        ProvenEntry(i, entry_record(r), tuple(inclusion_proof(nodes, i, 2)))
        for i, r in enumerate((first, second))
    ]
    text = format_item_proof("CEL-F01-26-000001-X", entries, note)
    # When verified / Then both are included, but version 2 does not link to version 1
    with pytest.raises(ProofError, match="does not link to version 1"):
        verify_item_proof(text, [SIGNER.verifier()])


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda t: t.replace(ITEM_PROOF_HEADER, TLOG_PROOF_HEADER, 1), "starts with"),
        (lambda t: t.replace("\nindex 1\n", "\nindex 01\n", 1), "no leading 0"),
        (lambda t: t.replace("\nindex 1\n", "\n", 1), "index N"),
        (lambda t: t.split("\n\n", 1)[0], "empty line"),
        (lambda t: t.replace("extra ", "extra !", 1), "not base64"),
    ],
)
def test_r_trc_3_malformed_item_proofs_are_refused(mutate: object, reason: str) -> None:
    # Given a well-formed proof changed in one place / Then it is refused, saying why
    assert callable(mutate)
    with pytest.raises(ProofFormatError, match=reason):
        verify_item_proof(mutate(_proof()), [SIGNER.verifier()])


def _report_proof() -> str:
    """The proofs of `_proof` as a signed report attaches them (several items' events)."""
    item = parse_item_proof(_proof())
    return format_report_proof(
        "batch-record", "LOT-F01-26-000001-5", item.entries, item.checkpoint_note
    )


def test_r_led_4_a_reports_proofs_round_trip_and_verify_like_an_item_proof() -> None:
    # Given the proofs a report attaches
    text = _report_proof()
    # Then they parse back naming the report, and verify under the log key
    assert text.startswith(f"{REPORT_PROOF_HEADER}\nreport batch-record LOT-F01-26-000001-5\n")
    parsed = parse_item_proof(text)
    assert (parsed.report, parsed.code, len(parsed.entries)) == (
        "batch-record",
        "LOT-F01-26-000001-5",
        2,
    )
    proven = verify_item_proof(text, [SIGNER.verifier()])
    assert proven.subject == "cited by the batch-record of LOT-F01-26-000001-5"
    # And the offline verifier lists each entry's log index and event hash
    said = check_proof(text, [SIGNER.verifier()]).splitlines()
    assert said[0].startswith("Proven: 2 events cited by the batch-record of LOT-F01-26-000001-5")
    hashes = [record_event_hash(e.record).hex() for e in parsed.entries]
    assert said[1:] == [
        f"  log index {i}: event hash {h}" for i, h in zip((1, 3), hashes, strict=True)
    ]


@pytest.mark.parametrize(
    "line", ["report batch-record", "report  LOT-F01-26-000001-5", "item LOT-F01-26-000001-5"]
)
def test_r_led_4_a_report_proof_without_its_kind_and_code_is_refused(line: str) -> None:
    text = _report_proof().replace("report batch-record LOT-F01-26-000001-5", line, 1)
    with pytest.raises(ProofFormatError, match="report KIND CODE"):
        parse_item_proof(text)


def test_r_led_4_a_report_proof_with_an_altered_record_is_refused() -> None:
    head, _, note = _report_proof().partition("\n\n")
    lines = head.split("\n")
    extra = json.loads(base64.b64decode(lines[2].removeprefix("extra ")))
    extra["state"] = base64.b64encode(b'{"step": 99}').decode()
    lines[2] = "extra " + base64.b64encode(json.dumps(extra, sort_keys=True).encode()).decode()
    with pytest.raises(ProofError):
        verify_item_proof("\n".join(lines) + "\n\n" + note, [SIGNER.verifier()])
