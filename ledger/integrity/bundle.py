"""`celltrace export DIR`: a self-contained offline audit bundle (R-LED-3, R-LED-4).

    DIR/manifest.json      format, origin, counts, chain head, Merkle root, SHA-256 per file
    DIR/events.jsonl       every stored record in notification order, one JSON object a line:
                           log_index, the entry record (`entries.py`: the exact hashed fields,
                           state in base64), event_hash and chain_hash (hex)
    DIR/checkpoints.jsonl  every signed checkpoint in signing order: sequence, size, note
    DIR/keys.txt           verifier keys (c2sp.org/signed-note), the log's oldest first
    DIR/verifier/          the standard-library-only verifier (`offline.py` and the modules it
                           imports): PYTHONPATH=DIR/verifier python -m ledger.integrity.offline DIR

Everything is streamed: memory stays constant however long the ledger is.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledger.config import Settings
from ledger.integrity import chain, entries, merkle, note, offline, records, tlog_proof, tree_audit
from ledger.integrity.log_keys import verifier_key_lines
from ledger.integrity.merkle import leaf_hash
from ledger.integrity.tree_audit import CompactRange
from ledger.integrity.verify import LedgerReader

BUNDLE_FORMAT = offline.BUNDLE_FORMAT
OFFLINE_MODULES = (chain, entries, merkle, note, offline, records, tlog_proof, tree_audit)


@dataclass(frozen=True)
class Exported:
    directory: Path
    events: int
    checkpoints: int
    chain_head: str | None
    merkle_root: str


def export_bundle(settings: Settings, directory: Path, extra_keys: Sequence[str] = ()) -> Exported:
    """Write the bundle of the ledger as stored now into `directory` (created; must be empty)."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty; export into a new directory")
    reader = LedgerReader(settings.database)
    # Checkpoints first: every one then covers at most the records streamed afterwards.
    n_checkpoints = _write_lines(
        directory / "checkpoints.jsonl",
        (
            {"sequence": c.sequence, "size": _size_of(c.note), "note": c.note}
            for c in reader.checkpoints()
        ),
    )
    tree = CompactRange()
    last: dict[str, Any] = {}

    def events() -> Iterable[dict[str, Any]]:
        for index, rec in enumerate(reader.records()):
            assert rec.event_hash is not None and rec.chain_hash is not None
            tree.append(leaf_hash(rec.event_hash))
            row = {"log_index": index, **entries.entry_record(rec)}
            row["event_hash"], row["chain_hash"] = rec.event_hash.hex(), rec.chain_hash.hex()
            last["head"] = f"{rec.notification_id}:{row['chain_hash']}"
            yield row

    n_events = _write_lines(directory / "events.jsonl", events())
    (directory / "keys.txt").write_text(verifier_key_lines(settings, extra_keys), "utf-8")
    _copy_verifier(directory / "verifier")
    manifest = {
        "format": BUNDLE_FORMAT,
        "origin": settings.origin,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": n_events,
        "checkpoints": n_checkpoints,
        "chain_head": last.get("head"),
        "merkle_root": tree.root().hex(),
        "files": {name: offline.file_sha256(directory / name) for name in offline.FILES},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return Exported(directory, n_events, n_checkpoints, last.get("head"), tree.root().hex())


def _write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
            count += 1
    return count


def _size_of(signed_note: str) -> int:
    return int(signed_note.split("\n", 2)[1])


def _copy_verifier(target: Path) -> None:
    package = target / "ledger" / "integrity"
    package.mkdir(parents=True)
    (target / "ledger" / "__init__.py").write_text('"""CellTrace offline verifier."""\n')
    (package / "__init__.py").write_text('"""CellTrace offline verifier."""\n')
    for module in OFFLINE_MODULES:
        assert module.__file__ is not None
        shutil.copyfile(module.__file__, package / Path(module.__file__).name)
