"""Auditing signed checkpoints against the ledger itself while it streams past (R-LED-4).

`CompactRange` recomputes the RFC 9162 Merkle Tree Hash (2.1.1) of every prefix of the ledger
from the event hashes, holding only the O(log n) complete subtrees of the current size.
`CheckpointAudit` is a `records.RecordObserver`: at each checkpoint's size it compares the root
it recomputed with the root the checkpoint signs, checks the c2sp.org/signed-note signature
under the log's key history (c2sp.org/tlog-checkpoint rotation: `note.KeyHistory`) and that
sizes never shrink. Two checkpoints whose roots both equal roots recomputed from one sequence
of leaves are consistent (RFC 9162 2.1.4) by construction, so no stored tree is trusted.
Only the standard library and `cryptography` are imported (offline verifier).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from hashlib import sha256 as _sha256

from ledger.integrity.merkle import EMPTY_ROOT, node_hash
from ledger.integrity.note import (
    Checkpoint,
    KeyHistory,
    NoteError,
    Verifier,
    open_checkpoint,
    parse_checkpoint,
)
from ledger.integrity.records import Break


class CompactRange:
    """The complete subtrees (largest first) whose right fold is the root of the leaves so far.

    With `keep_nodes`, `nodes[level]` collects every inner node of that level as its subtree
    completes, in index order (node (level, i) covers leaves [i << level, (i + 1) << level)),
    until the caller takes them."""

    def __init__(self, *, keep_nodes: bool = False) -> None:
        self.size = 0
        self._subtrees: list[bytes] = []
        self.nodes: list[list[bytes]] | None = [[] for _ in range(65)] if keep_nodes else None

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash, merging equal-sized subtrees (one per trailing 1 bit of size)."""
        self.extend((leaf,))

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append leaf hashes in order: as `append` for each, hashing whole perfect subtrees
        (aligned blocks of 2^k leaves) a level at a time."""
        subtrees, nodes = self._subtrees, self.nodes
        done, end = 0, len(leaves)
        while done < end:
            size = self.size
            block = 1 << ((end - done).bit_length() - 1)  # the largest that fits ...
            if size:
                block = min(block, size & -size)  # ... and starts on a multiple of its size
            level_hashes = leaves[done : done + block]
            height = 0
            while len(level_hashes) > 1:
                pairs = iter(level_hashes)
                level_hashes = [
                    _sha256(b"\x01" + left + right).digest()  # merkle.node_hash, inlined
                    for left, right in zip(pairs, pairs, strict=False)
                ]
                height += 1
                if nodes is not None:
                    nodes[height].extend(level_hashes)
            h, n = level_hashes[0], size >> height
            while n & 1:  # merge with the equal-sized subtrees before it
                h = _sha256(b"\x01" + subtrees.pop() + h).digest()
                n >>= 1
                height += 1
                if nodes is not None:
                    nodes[height].append(h)
            subtrees.append(h)
            self.size = size + block
            done += block

    def root(self) -> bytes:
        """MTH of the leaves appended so far; SHA-256() for none (RFC 9162 2.1.1)."""
        if not self._subtrees:
            return EMPTY_ROOT
        acc = self._subtrees[-1]
        for h in reversed(self._subtrees[:-1]):
            acc = node_hash(h, acc)
        return acc


@dataclass(frozen=True)
class SignedCheckpoint:
    """A signed checkpoint note: `sequence` in the log's table, or None for one an auditor kept."""

    note: str
    sequence: int | None = None

    def label(self) -> str:
        return (
            "the checkpoint you kept" if self.sequence is None else f"checkpoint #{self.sequence}"
        )


class CheckpointAudit:
    """Checks stored checkpoints (in signing order) and a kept one against the ledger."""

    def __init__(
        self,
        origin: str,
        log_keys: Sequence[Verifier],
        stored: Iterable[SignedCheckpoint] = (),
        kept: SignedCheckpoint | None = None,
        watch: int | None = None,
        on_tree: Callable[[Sequence[int], Sequence[bytes], Sequence[Sequence[bytes]]], None]
        | None = None,
    ) -> None:
        """`watch`: a size whose root to keep (`watched_root`). `on_tree(notification ids,
        event hashes, inner nodes per level)` sees the tree as it is recomputed: after each
        `add_many`, what it added (the node lists are cleared after the call)."""
        self.origin = origin
        self.watch = watch
        self.watched_root: bytes | None = EMPTY_ROOT if watch == 0 else None
        self.log_keys = list(log_keys)
        self.range = CompactRange(keep_nodes=on_tree is not None)
        self._on_tree = on_tree
        self.checked = 0
        self._history = KeyHistory(log_keys[0], log_keys[1:]) if log_keys else None
        self._stored = iter(stored)
        self._pending: tuple[SignedCheckpoint, Checkpoint] | None = None
        self._pending_error: str | None = None
        self._previous: tuple[SignedCheckpoint, int] | None = None
        self._kept: tuple[SignedCheckpoint, Checkpoint, frozenset[Verifier]] | None = None
        self._kept_error: str | None = None
        self._started = False
        self._max_stored = 0
        self._due_at = 0  # the smallest size at which `_due` may have something to check
        if kept is not None:
            try:
                cp, opened = open_checkpoint(kept.note, self.log_keys, origin=origin)
                self._kept = (kept, cp, frozenset(opened.verified_by))
            except NoteError as exc:
                self._kept_error = f"the checkpoint you kept does not verify: {exc}"
        self._advance()

    def add(self, notification_id: int, event_hash: bytes) -> Break | None:
        seen = self.add_many((notification_id,), (event_hash,))
        return None if seen is None else seen[1]

    def add_many(
        self, notification_ids: Sequence[int], event_hashes: Sequence[bytes]
    ) -> tuple[int, Break] | None:
        """`add` for each verified record in order; the first break and its position."""
        if not event_hashes:
            return None
        if not self._started and (found := self._start(notification_ids[0])) is not None:
            return 0, found
        leaves = [_sha256(b"\x00" + h).digest() for h in event_hashes]  # merkle.leaf_hash
        done, end = 0, len(leaves)
        while done < end:
            # Append up to the next size at which a root is due, then check it, as `add` would.
            size = self.range.size
            upto = end if self._due_at - size >= end - done else done + max(1, self._due_at - size)
            if self.watch is not None and size < self.watch < size + upto - done:
                upto = done + self.watch - size
            self.range.extend(leaves[done:upto] if done or upto < end else leaves)
            done = upto
            if self.range.size == self.watch:
                self.watched_root = self.range.root()
            if self.range.size >= self._due_at:
                found = self._due(notification_ids[done - 1])
                if found is not None:
                    return done - 1, found
        if self._on_tree is not None:
            assert self.range.nodes is not None
            self._on_tree(notification_ids, event_hashes, self.range.nodes)
            for level in self.range.nodes:
                level.clear()
        return None

    def finish(self, count: int, last_id: int | None) -> Break | None:
        found = self._start(last_id)
        if found is not None:
            return found
        if self._kept is not None:
            cp = self._kept[1]
            if self._pending is not None:
                self._max_stored = max(self._max_stored, self._pending[1].size)
            rolled_back = self._max_stored <= count
            kind = "rolled-back" if rolled_back else "truncated"
            why = (
                "this is an older copy of the ledger (a restored backup), or its end was cut "
                "together with its own checkpoints"
                if rolled_back
                else f"the last {cp.size - count} events were deleted (the ledger's own "
                "checkpoints still commit to them)"
            )
            return _break(
                kind,
                last_id,
                f"the checkpoint you kept commits to {cp.size} events but the ledger has only "
                f"{count}: {why}",
            )
        if self._pending_error is not None:
            return _break("checkpoint-signature-invalid", last_id, self._pending_error)
        if self._pending is not None:
            signed, cp = self._pending
            return _break(
                "truncated",
                last_id,
                f"{signed.label()} commits to {cp.size} events but the ledger has only {count}: "
                f"the last {cp.size - count} events were deleted, or the ledger rolled back",
            )
        return None

    def _start(self, nid: int | None) -> Break | None:
        if self._started:
            return None
        self._started = True
        if self._kept_error is not None:
            return _break("checkpoint-signature-invalid", nid, self._kept_error)
        return self._due(None)

    def _due(self, nid: int | None) -> Break | None:
        """Check every checkpoint whose size the ledger has just reached."""
        found = self._check_due(nid)
        # Until the ledger reaches the next size something is due at, `_due` has nothing to do.
        if self._pending_error is not None:
            self._due_at = 0
        else:
            sizes = [c[1].size for c in (self._kept, self._pending) if c is not None]
            self._due_at = min(sizes, default=1 << 64)
        return found

    def _check_due(self, nid: int | None) -> Break | None:
        size = self.range.size
        if self._kept is not None and self._kept[1].size == size:
            found = self._check_kept(nid)
            self._kept = None
            if found is not None:
                return found
        while True:
            if self._pending_error is not None:
                return _break("checkpoint-signature-invalid", nid, self._pending_error)
            if self._pending is None or self._pending[1].size > size:
                return None
            signed, cp = self._pending
            if cp.size < size or (self._previous and cp.size < self._previous[1]):
                last = self._previous[0].label() if self._previous else "an earlier checkpoint"
                return _break(
                    "checkpoint-inconsistent",
                    nid,
                    f"{signed.label()} has size {cp.size}, smaller than {last}: a log never "
                    "shrinks, so one of them signs a different history",
                )
            if cp.root_hash != self.range.root():
                return _rewritten(signed, cp, self.range.root(), nid)
            self.checked += 1
            self._previous = (signed, cp.size)
            self._advance()

    def _check_kept(self, nid: int | None) -> Break | None:
        assert self._kept is not None
        kept, cp, signers = self._kept
        if cp.root_hash != self.range.root():
            return _rewritten(kept, cp, self.range.root(), nid)
        history = self._history
        if history is not None and signers <= history.retired and not signers & history.trusted:
            return _break(
                "checkpoint-signature-invalid",
                nid,
                "the checkpoint you kept is signed only by a log key retired by an earlier "
                "rotation checkpoint: it was not issued by the log",
            )
        self.checked += 1
        return None

    def _advance(self) -> None:
        """Open the next stored checkpoint in signing order (applying key rotation)."""
        self._pending = None
        signed = next(self._stored, None)
        if signed is None:
            return
        try:
            if self._history is None:
                raise NoteError("no verifier key of the log is known (pass the published keys)")
            cp = parse_checkpoint(self._history.open(signed.note).text)
            if cp.origin != self.origin:
                raise NoteError(f"origin {cp.origin!r} is not this log's {self.origin!r}")
        except NoteError as exc:
            self._pending_error = f"{signed.label()} does not verify: {exc}"
            return
        self._max_stored = max(self._max_stored, cp.size)
        self._pending = (signed, cp)


def _rewritten(signed: SignedCheckpoint, cp: Checkpoint, root: bytes, nid: int | None) -> Break:
    return _break(
        "history-rewritten",
        nid,
        f"the Merkle root of the ledger's first {cp.size} events is {root.hex()}, but "
        f"{signed.label()} signs {cp.root_hash.hex()}: events up to this record were changed "
        "(and re-hashed) after the checkpoint was signed",
    )


def _break(kind: str, nid: int | None, message: str) -> Break:
    return Break(kind, nid, None, None, message)
