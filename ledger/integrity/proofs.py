"""What the transparency endpoints return (R-LED-4, R-TRC-3; shapes in DESIGN.md):

    GET /ledger/checkpoint                         -> TransparencyLog.checkpoint()   text/plain
    GET /ledger/keys                               -> TransparencyLog.keys(extra)    text/plain
    GET /ledger/entries/{log_index}                -> TransparencyLog.entry(i)
    GET /ledger/proof/inclusion?index=I&size=N     -> TransparencyLog.inclusion(I, N)
    GET /ledger/proof/consistency?old=M&new=N      -> TransparencyLog.consistency(M, N)

and the per-item proof of `celltrace prove` (`tlog_proof.py`), and the proofs of the events a
signed report cites (`proven`, `covering`). Every answer comes from the
stored RFC 9162 tree in O(log n) reads; errors are NotFound (404) or InvalidInput (422).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, text

from ledger.config import Settings
from ledger.errors import NotFound, NotReady
from ledger.integrity.checkpoints import Checkpoints, StoredCheckpoint
from ledger.integrity.entries import entry_json, entry_record
from ledger.integrity.log_keys import verifier_key_lines
from ledger.integrity.merkle_log import MerkleLog
from ledger.integrity.records import StoredRecord
from ledger.integrity.tlog_proof import ProvenEntry, format_item_proof
from ledger.integrity.verify import record_from_row, select_records_sql


class TransparencyLog:
    """The read side of the log for the API and the CLI; build one per process."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.tree = MerkleLog(engine)
        self.checkpoints = Checkpoints(settings, engine)
        self._records_sql = text(
            select_records_sql(settings.database.backend, "e.{nid} IN :ids")
        ).bindparams(bindparam("ids", expanding=True))

    def latest(self) -> StoredCheckpoint:
        found = self.checkpoints.latest()
        if found is None:
            raise NotFound("the log has signed no checkpoint yet; run `celltrace checkpoint`")
        return found

    def checkpoint(self) -> str:
        """The latest signed checkpoint note (c2sp.org/tlog-checkpoint, signed-note)."""
        return self.latest().note

    def keys(self, extra: Sequence[str] = ()) -> str:
        """Verifier keys, one per line: the log's, oldest first, then `extra` (label key)."""
        return verifier_key_lines(self.settings, extra)

    def entry(self, log_index: int) -> dict[str, Any]:
        """`{"log_index", "notification_id", "event_hash", "leaf_hash", "record"}`."""
        leaf = self.tree.leaf(log_index)
        return entry_json(log_index, self._record(leaf.notification_id))

    def inclusion(self, index: int, size: int) -> dict[str, Any]:
        """`{"index", "size", "leaf_hash", "proof": [hex...]}`: RFC 9162 PATH(index, D[size])."""
        leaf_hash, proof = self.tree.inclusion(index, size)
        return {
            "index": index,
            "size": size,
            "leaf_hash": leaf_hash.hex(),
            "proof": [h.hex() for h in proof],
        }

    def consistency(self, old: int, new: int) -> dict[str, Any]:
        """`{"old", "new", "proof": [hex...]}`: RFC 9162 PROOF(old, D[new])."""
        proof = self.tree.consistency_proof(old, new)
        return {"old": old, "new": new, "proof": [h.hex() for h in proof]}

    def item_notification_ids(self, code: str) -> list[int]:
        """The notification ids of every event on the item's timeline, in order."""
        sql = text("SELECT notification_id FROM timeline WHERE item_code = :c ORDER BY 1")
        with self.engine.connect() as conn:
            return [int(row[0]) for row in conn.execute(sql, {"c": code})]

    def item_proof(self, code: str, checkpoint: StoredCheckpoint | None = None) -> str:
        """Every event of the item with its inclusion proof against `checkpoint` (default:
        the latest), as a `tlog_proof` item proof. NotFound when the item is unknown or the
        checkpoint does not yet cover all its events."""
        checkpoint = checkpoint or self.latest()
        nids = self.item_notification_ids(code)
        if not nids:
            raise NotFound(f"{code} has no recorded events in this ledger")
        return format_item_proof(
            code, self.proven(nids, checkpoint, f" of {code}"), checkpoint.note
        )

    def proven(
        self, nids: Sequence[int], checkpoint: StoredCheckpoint, of: str = ""
    ) -> list[ProvenEntry]:
        """The records `nids` with their inclusion proofs against `checkpoint`, in the order
        given; NotFound when the checkpoint does not cover one (`of` says whose it is)."""
        leaves = self.tree.leaves_of(nids)
        missing = [n for n in nids if n not in leaves or leaves[n].log_index >= checkpoint.size]
        if missing:
            raise NotFound(
                f"checkpoint #{checkpoint.sequence} (size {checkpoint.size}) does not cover "
                f"record {missing[0]}{of} yet; run `celltrace checkpoint` first"
            )
        records = self._records(nids)
        return [
            ProvenEntry(
                leaves[n].log_index,
                entry_record(records[n]),
                tuple(self.tree.inclusion_proof(leaves[n].log_index, checkpoint.size)),
            )
            for n in nids
        ]

    def covering(self, nids: Sequence[int]) -> StoredCheckpoint:
        """The latest checkpoint, signing a new one first if it does not yet cover every one
        of the records `nids` (each must be in the Merkle log already: NotReady if not)."""
        leaves = self.tree.leaves_of(nids)
        missing = sorted(set(nids) - set(leaves))
        if missing:
            raise NotReady(
                f"the Merkle log does not hold record {missing[0]} yet; retry shortly (is "
                "`celltrace worker` running?)"
            )
        latest = self.checkpoints.latest()
        if latest is None or any(leaf.log_index >= latest.size for leaf in leaves.values()):
            latest, _ = self.checkpoints.sign()
        return latest

    def covering_checkpoint(self, code: str) -> StoredCheckpoint:
        """The latest checkpoint, signing a new one first if it does not yet cover every
        event of the item (the log only ever extends what it signed)."""
        nids = self.item_notification_ids(code)
        latest = self.checkpoints.latest()
        leaves = self.tree.leaves_of(nids).values()
        if latest is None or any(leaf.log_index >= latest.size for leaf in leaves):
            latest, _ = self.checkpoints.sign()
        return latest

    def _record(self, notification_id: int) -> StoredRecord:
        found = self._records([notification_id]).get(notification_id)
        if found is None:
            raise NotFound(f"record {notification_id} is not in the ledger")
        return found

    def _records(self, notification_ids: Sequence[int]) -> dict[int, StoredRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(self._records_sql, {"ids": list(notification_ids)})
            backend = self.settings.database.backend
            found = (record_from_row(tuple(x), backend) for x in rows)
            return {r.notification_id: r for r in found}
