"""Offline-verifiable proofs that events are in the log, in the c2sp.org/tlog-proof style
(R-LED-4, R-TRC-3).

A single proof is exactly c2sp.org/tlog-proof@v1: the header line, `extra` with the base64
of the entry record (the fields its event hash covers, `entries.py`: the "additional data
necessary to reconstruct the record hash" the spec names), `index`, the RFC 9162 inclusion
proof one base64 hash per line, an empty line and the signed checkpoint note verbatim.

An item proof (`celltrace prove CODE`) adapts it to many entries under one checkpoint:

    celltrace/item-proof@v1
    item <item code>
    extra <base64 entry record>      } one block per event of the item,
    index <log index>                } in log order: tlog-proof's own lines
    <base64 proof hash>...           }
    <empty line>
    <signed checkpoint note, verbatim>

A signed report (`celltrace report ...`, docs/reports.md) carries the proofs of every event it
cites, of several items, in the same form under its own header:

    celltrace/report-proof@v1
    report <kind> <item code>        e.g. "report batch-record LOT-F01-26-000001-5"
    extra ... / index ... / hashes   } one block per cited event, in log order
    <empty line>
    <signed checkpoint note, verbatim>

`split_item_proof` turns either into standard single tlog-proofs. Only the standard library
and `cryptography` are imported (offline verifiers).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.integrity.entries import record_event_hash
from ledger.integrity.merkle import ProofError, leaf_hash, verify_inclusion
from ledger.integrity.note import Checkpoint, Verifier, open_checkpoint
from ledger.integrity.note import _b64decode_strict as b64decode_strict

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
ITEM_PROOF_HEADER = "celltrace/item-proof@v1"
REPORT_PROOF_HEADER = "celltrace/report-proof@v1"


class ProofFormatError(ValueError):
    """The text is not a well-formed tlog-proof or item proof."""


@dataclass(frozen=True)
class ProvenEntry:
    """One entry of a proof: its log index, its record and its inclusion proof."""

    index: int
    record: dict[str, Any]
    proof: tuple[bytes, ...]

    def lines(self) -> list[str]:
        return [
            f"extra {base64.b64encode(_canonical(self.record)).decode()}",
            f"index {self.index}",
            *(base64.b64encode(h).decode() for h in self.proof),
        ]


@dataclass(frozen=True)
class ItemProof:
    """A parsed item proof: the item code, its entries and the checkpoint note; for a
    report's proof, `report` is the report's kind and `code` the item it is about."""

    code: str
    entries: tuple[ProvenEntry, ...]
    checkpoint_note: str
    report: str = ""

    def subject(self) -> str:
        """What the entries are: "of CODE", or "cited by the KIND of CODE"."""
        return f"cited by the {self.report} of {self.code}" if self.report else f"of {self.code}"


def format_item_proof(code: str, entries: Sequence[ProvenEntry], checkpoint_note: str) -> str:
    lines = [ITEM_PROOF_HEADER, f"item {code}"]
    for entry in entries:
        lines.extend(entry.lines())
    return "\n".join(lines) + "\n\n" + checkpoint_note


def format_report_proof(
    report: str, code: str, entries: Sequence[ProvenEntry], checkpoint_note: str
) -> str:
    """The proofs of the events a report of kind `report` about `code` cites."""
    if not report or " " in report:
        raise ProofFormatError(f"a report kind is one word, not {report!r}")
    lines = [REPORT_PROOF_HEADER, f"report {report} {code}"]
    for entry in entries:
        lines.extend(entry.lines())
    return "\n".join(lines) + "\n\n" + checkpoint_note


def format_tlog_proof(entry: ProvenEntry, checkpoint_note: str) -> str:
    """One entry as a standard c2sp.org/tlog-proof@v1."""
    return "\n".join([TLOG_PROOF_HEADER, *entry.lines()]) + "\n\n" + checkpoint_note


def parse_item_proof(text: str) -> ItemProof:
    """Parse an item proof or a report's proof."""
    head, note = _split(text)
    if head and head[0] == REPORT_PROOF_HEADER:
        named = head[1] if len(head) > 1 else ""
        report, _, code = named.removeprefix("report ").partition(" ")
        if not named.startswith("report ") or not report or not code:
            raise ProofFormatError(
                f"a report proof starts with {REPORT_PROOF_HEADER!r} and 'report KIND CODE'"
            )
        return ItemProof(code, tuple(_entries(head[2:])), note, report)
    if len(head) < 2 or head[0] != ITEM_PROOF_HEADER or not head[1].startswith("item "):
        raise ProofFormatError(f"an item proof starts with {ITEM_PROOF_HEADER!r} and 'item CODE'")
    return ItemProof(head[1][len("item ") :], tuple(_entries(head[2:])), note)


def parse_tlog_proof(text: str) -> tuple[ProvenEntry, str]:
    """Parse a c2sp.org/tlog-proof@v1 whose extra data is an entry record."""
    head, note = _split(text)
    if not head or head[0] != TLOG_PROOF_HEADER:
        raise ProofFormatError(f"a tlog-proof starts with {TLOG_PROOF_HEADER!r}")
    entries = _entries(head[1:])
    if len(entries) != 1:
        raise ProofFormatError("a tlog-proof holds exactly one entry")
    return entries[0], note


def split_item_proof(proof: ItemProof) -> list[str]:
    """The item proof as one standard tlog-proof per entry."""
    return [format_tlog_proof(entry, proof.checkpoint_note) for entry in proof.entries]


@dataclass(frozen=True)
class VerifiedItemProof:
    code: str
    checkpoint: Checkpoint
    entries: tuple[ProvenEntry, ...]
    subject: str = ""  # ItemProof.subject()


def verify_item_proof(
    text: str, log_keys: Sequence[Verifier], *, origin: str | None = None
) -> VerifiedItemProof:
    """Verify an item proof (or a report's) offline: checkpoint signature (a published log
    key), every event hash recomputed from its record and proven included (RFC 9162 2.1.3.2),
    and consecutive versions of one aggregate linked by their previous event hash. Raises on
    the first fault (ProofFormatError, note.NoteError, merkle.ProofError)."""
    proof = parse_item_proof(text)
    checkpoint, _ = open_checkpoint(proof.checkpoint_note, log_keys, origin=origin)
    if not proof.entries:
        raise ProofFormatError(f"the proof for {proof.code} holds no event")
    hashes: dict[tuple[str, int], bytes] = {}
    for entry in proof.entries:
        try:
            this = record_event_hash(entry.record)
        except ValueError as exc:
            raise ProofFormatError(f"entry {entry.index}: {exc}") from None
        where = f"entry {entry.index} (record {entry.record['notification_id']})"
        try:
            verify_inclusion(
                leaf_hash(this), entry.index, checkpoint.size, entry.proof, checkpoint.root_hash
            )
        except ProofError as exc:
            raise ProofError(f"{where} is not in the checkpoint: {exc}") from None
        oid, version = entry.record["originator_id"], entry.record["originator_version"]
        before = hashes.get((oid, version - 1))
        if before is not None and before.hex() != entry.record["previous_event_hash"]:
            raise ProofError(f"{where} does not link to version {version - 1} of {oid}")
        hashes[(oid, version)] = this
    return VerifiedItemProof(proof.code, checkpoint, proof.entries, proof.subject())


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()


def _split(text: str) -> tuple[list[str], str]:
    head, blank, note = text.partition("\n\n")
    if not blank or not note:
        raise ProofFormatError("no empty line separates the proof lines from the checkpoint")
    return head.split("\n"), note


def _entries(lines: list[str]) -> list[ProvenEntry]:
    entries: list[ProvenEntry] = []
    n = 0
    while n < len(lines):
        if not lines[n].startswith("extra ") or n + 1 >= len(lines):
            raise ProofFormatError(f"expected 'extra BASE64' then 'index N', got {lines[n]!r}")
        extra, index = lines[n][len("extra ") :], lines[n + 1]
        if not index.startswith("index ") or not _decimal(index[len("index ") :]):
            raise ProofFormatError(f"expected 'index N' (decimal, no leading 0), got {index!r}")
        n += 2
        hashes = []
        while n < len(lines) and not lines[n].startswith("extra "):
            hashes.append(_hash(lines[n]))
            n += 1
        try:
            record = json.loads(b64decode_strict(extra))
        except ValueError:
            raise ProofFormatError("extra data is not base64 of a JSON entry record") from None
        if not isinstance(record, dict):
            raise ProofFormatError("extra data is not a JSON object")
        entries.append(ProvenEntry(int(index[len("index ") :]), record, tuple(hashes)))
    return entries


def _decimal(text: str) -> bool:
    return text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0"))


def _hash(line: str) -> bytes:
    try:
        raw = b64decode_strict(line)
    except ValueError:
        raise ProofFormatError(f"proof line {line!r} is not base64") from None
    if len(raw) != 32:
        raise ProofFormatError(f"proof line {line!r} is not a 32-byte hash")
    return raw
