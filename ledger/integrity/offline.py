"""Offline verifier of audit bundles and item proofs (R-LED-3, R-LED-4, R-TRC-3).

Imports only the standard library, `cryptography` and the likewise self-contained modules
chain, merkle, note, records, tree_audit, entries and tlog_proof of `ledger.integrity`, so an
auditor can run it without CellTrace, its database or its keys (an export copies these files
into DIR/verifier):

    PYTHONPATH=DIR/verifier python -m ledger.integrity.offline DIR [--keys KEYS]
    PYTHONPATH=DIR/verifier python -m ledger.integrity.offline --proof FILE --keys KEYS

(FILE: an item proof, or the proofs a signed report carries, `tlog_proof.py`.)

It recomputes every event hash and both chains (`records.verify_records`), the Merkle root at
every checkpoint's size and its signature under the log's key history (`tree_audit`), and
the files' SHA-256 against the manifest. Pass --keys with keys obtained independently of
the bundle (e.g. from `GET /ledger/keys` earlier): the bundle's own keys.txt is unsigned.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ledger.integrity.entries import record_event_hash
from ledger.integrity.note import MalformedNoteError, NoteError, Verifier
from ledger.integrity.records import Break, Report, StoredRecord, verify_records
from ledger.integrity.tlog_proof import verify_item_proof
from ledger.integrity.tree_audit import CheckpointAudit, SignedCheckpoint

BUNDLE_FORMAT = "celltrace-audit-bundle/v1"
FILES = ("events.jsonl", "checkpoints.jsonl", "keys.txt")


class BundleError(ValueError):
    """The directory is not a readable audit bundle (a usage error, not tampering)."""


@dataclass(frozen=True)
class BundleReport:
    origin: str
    log_keys: tuple[str, ...]
    report: Report


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_keys(text: str) -> list[Verifier]:
    """Verifier keys, one per line as `GET /ledger/keys` and keys.txt publish them (blank
    lines and `#` comments ignored); ValueError names a line that is not a key."""
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                keys.append(Verifier.from_key_string(line))
            except MalformedNoteError as exc:
                raise ValueError(f"line {number} is not a verifier key: {exc}") from None
    return keys


def verify_bundle(directory: Path, keys_text: str | None = None) -> BundleReport:
    """Verify an audit bundle; BundleError when it cannot be read at all."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleError(f"{directory} has no readable manifest.json: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{directory}/manifest.json is not a {BUNDLE_FORMAT} manifest")
    origin = str(manifest["origin"])
    if keys_text is None:
        keys_text = (directory / "keys.txt").read_text("utf-8")
    try:
        log_keys = tuple(v for v in read_keys(keys_text) if v.name == origin)
    except ValueError as exc:
        raise BundleError(f"the verifier keys cannot be read: {exc}") from None
    names = tuple(v.key_string() for v in log_keys)
    for name in FILES:
        if file_sha256(directory / name) != manifest["files"].get(name):
            brk = Break("bundle-altered", None, None, None, f"{name} differs from the manifest")
            return BundleReport(origin, names, Report(0, None, brk))
    checkpoints = (
        SignedCheckpoint(str(c["note"]), int(c["sequence"]))
        for c in _lines(directory / "checkpoints.jsonl")
    )
    audit = CheckpointAudit(origin, log_keys, checkpoints)
    report = verify_records(_records(directory / "events.jsonl"), observer=audit)
    report = replace(report, checkpoints=audit.checked, merkle_root=audit.range.root())
    if report.intact and report.events != manifest["events"]:
        brk = Break("bundle-altered", None, None, None, "event count differs from the manifest")
        report = replace(report, first_break=brk)
    return BundleReport(origin, names, report)


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                row = json.loads(line)
            except ValueError:
                raise BundleError(f"{path.name} line {number} is not JSON") from None
            if not isinstance(row, dict):
                raise BundleError(f"{path.name} line {number} is not a JSON object")
            yield row


def _records(path: Path) -> Iterator[StoredRecord]:
    """Records as the database verifier sees them: the previous event hash of an aggregate
    is the event hash this bundle holds for version - 1 (None when it holds none)."""
    last: dict[str, tuple[int, bytes]] = {}
    for position, row in enumerate(_lines(path)):
        try:
            oid, version = str(row["originator_id"]), int(row["originator_version"])
            if int(row["log_index"]) != position:
                raise BundleError(f"events.jsonl line {position + 1}: log_index is not dense")
            this = bytes.fromhex(row["event_hash"])
            before = last.get(oid)
            previous = before[1] if before and before[0] == version - 1 else None
            last[oid] = (version, this)
            yield StoredRecord(
                int(row["notification_id"]),
                oid,
                version,
                str(row["topic"]),
                base64.b64decode(row["state"], validate=True),
                this,
                bytes.fromhex(row["chain_hash"]),
                previous,
            )
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            if isinstance(exc, BundleError):
                raise
            raise BundleError(f"events.jsonl line {position + 1} is malformed: {exc}") from None


def describe(result: BundleReport) -> list[str]:
    report = result.report
    lines = [f"Log origin: {result.origin}"]
    lines += [f"Log key: {k}" for k in result.log_keys] or ["Log key: none found"]
    if report.first_break is not None:
        return [*lines, f"TAMPERING DETECTED: {report.first_break.describe()}"]
    root = report.merkle_root.hex() if report.merkle_root else ""
    return [
        *lines,
        f"Intact: {report.events} events verified (event hashes, aggregate links, chain), "
        f"{report.checkpoints} signed checkpoint(s) match the recomputed Merkle root.",
        f"Chain head: {report.head}",
        f"Merkle root at size {report.events}: {root}",
    ]


def check_proof(text: str, log_keys: Sequence[Verifier]) -> str:
    """Verify an item proof or a report's (`tlog_proof.verify_item_proof`); the sentence saying
    what it proves (for a report, then each cited event's log index and event hash, to compare
    with the report's appendix), or ValueError / NoteError saying why not."""
    proven = verify_item_proof(text, log_keys)
    cp = proven.checkpoint
    said = (
        f"Proven: {len(proven.entries)} event{'s' * (len(proven.entries) != 1)} "
        f"{proven.subject} are included in the checkpoint "
        f"of {cp.origin} at size {cp.size} (root {cp.root_hash.hex()})."
    )
    if proven.subject.startswith("of "):
        return said
    listed = [
        f"  log index {e.index}: event hash {record_event_hash(e.record).hex()}"
        for e in sorted(proven.entries, key=lambda e: e.index)
    ]
    return "\n".join([said, *listed])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("bundle", nargs="?", type=Path, help="an audit bundle directory")
    parser.add_argument("--keys", type=Path, help="verifier keys, one per line")
    parser.add_argument("--proof", type=Path, help="verify an item proof instead")
    args = parser.parse_args(argv)
    keys = args.keys.read_text("utf-8") if args.keys else None
    try:
        if args.proof is not None:
            if keys is None:
                parser.error("--proof needs --keys")
            try:
                trusted = read_keys(keys)
            except ValueError as exc:
                raise BundleError(str(exc)) from None
            print(check_proof(args.proof.read_text("utf-8"), trusted))
            return 0
        if args.bundle is None:
            parser.error("give a bundle directory or --proof FILE")
        result = verify_bundle(args.bundle, keys)
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (NoteError, ValueError) as exc:
        print(f"PROOF REFUSED: {exc}")
        return 1
    print("\n".join(describe(result)))
    return 0 if result.report.intact else 1


if __name__ == "__main__":
    sys.exit(main())
