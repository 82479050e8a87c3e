"""Checking every stored leaf and node of the Merkle log against the ledger (R-LED-4, R-LED-7).

The API serves inclusion and consistency proofs from the `merkle_leaves` and `merkle_nodes`
tables, so a verifier that checked only the root would miss an overwritten node off the root's
path: the proofs that use it would fail against a kept checkpoint. `check_stored_tree` checks
level 0 (each leaf is the ledger's event at that position: dense `log_index`, notification id,
event hash) and then each level from the one below, which is already checked:
`node(l, i) = node_hash(h(l-1, 2i), h(l-1, 2i+1))` with RFC 9162 hashing. Every stored row is
read twice, so the cost is linear and the memory constant.

`StoredTreeMatch` does the same comparison while verification streams the ledger past, with
the leaves and nodes the checkpoint audit recomputes anyway (`tree_audit.CompactRange`), reading
each stored row once: when it matched, `check_stored_tree` finds nothing; when it did not,
`check_stored_tree` names the first difference. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from ledger.integrity.merkle import leaf_hash, node_hash
from ledger.integrity.records import Break

REBUILD = "rebuild it from the ledger with `celltrace worker --rebuild --once`"


def check_stored_tree(
    size: int,
    ledger_hashes: Iterable[tuple[int, bytes]],
    stored_leaves: Iterable[tuple[int, int, bytes]],
    stored_level: Callable[[int, int], Iterable[tuple[int, bytes]]],
) -> Break | None:
    """The first stored leaf or node of a tree of `size` leaves that is not the ledger's.

    `ledger_hashes`: (notification id, verified event hash) of the ledger's first `size`
    events in order; `stored_leaves`: (log_index, notification id, event hash) of the stored
    leaves below `size` in log order; `stored_level(level, count)`: (node_index, hash) of the
    stored nodes of `level` below `count`, in index order (level 0: the leaves' event hashes).
    """
    found = _check_leaves(size, ledger_hashes, stored_leaves)
    if found is not None:
        return found
    level = 1
    while size >> level:
        count = size >> level
        below = stored_level(level - 1, count * 2)
        if level == 1:
            below = ((i, leaf_hash(h)) for i, h in below)
        found = _check_level(level, count, iter(below), iter(stored_level(level, count)))
        if found is not None:
            return found
        level += 1
    return None


def _check_leaves(
    size: int,
    ledger_hashes: Iterable[tuple[int, bytes]],
    stored_leaves: Iterable[tuple[int, int, bytes]],
) -> Break | None:
    expected = iter(ledger_hashes)
    index = 0
    for log_index, nid, stored_hash in stored_leaves:
        if log_index != index:
            return _altered(f"leaf {index} of {size} is missing from `merkle_leaves`")
        event = next(expected, None)
        if event is None:
            return _altered(f"leaf {index} has no event in the ledger")
        if (nid, stored_hash) != event:
            return _altered(
                f"leaf {index} stores notification {nid} with event hash {stored_hash.hex()}, "
                f"but the ledger's event at that position is notification {event[0]} with "
                f"event hash {event[1].hex()}",
                nid,
            )
        index += 1
    if index != size:
        return _altered(f"leaf {index} of {size} is missing from `merkle_leaves`")
    return None


def _check_level(
    level: int,
    count: int,
    below: Iterable[tuple[int, bytes]],
    stored: Iterable[tuple[int, bytes]],
) -> Break | None:
    below_it, stored_it = iter(below), iter(stored)
    for index in range(count):
        left, right = next(below_it, None), next(below_it, None)
        if left is None or right is None:  # the level below was checked complete
            raise AssertionError("level below is incomplete")
        expected = node_hash(left[1], right[1])
        row = next(stored_it, None)
        if row is None or row[0] != index:
            return _altered(f"node (level {level}, index {index}) is missing from `merkle_nodes`")
        if row[1] != expected:
            return _altered(
                f"node (level {level}, index {index}) stores {row[1].hex()}, but the ledger's "
                f"subtree of leaves [{index << level}, {(index + 1) << level}) hashes to "
                f"{expected.hex()}"
            )
    return None


def _altered(what: str, nid: int | None = None) -> Break:
    return Break(
        "merkle-log-altered",
        nid,
        None,
        None,
        f"the stored Merkle log was edited: {what}; proofs served from it would not verify "
        f"against the checkpoints; {REBUILD}",
    )


class StoredTreeMatch:
    """Compares a stored tree of `size` leaves with the ledger's while it is recomputed.

    `stored_leaves` and `stored_level` are what `check_stored_tree` reads; `compare` is given,
    in order, the verified events and the inner nodes recomputed from them
    (`tree_audit.CheckpointAudit`'s `on_tree`) and compares them a batch at a time.
    """

    def __init__(
        self,
        size: int,
        stored_leaves: Iterable[tuple[int, int, bytes]],
        stored_level: Callable[[int, int], Iterable[tuple[int, bytes]]],
    ) -> None:
        self.size = size
        self.differs = False
        self._leaves = iter(stored_leaves)
        self._stored_level = stored_level
        self._levels: dict[int, Iterator[tuple[int, bytes]]] = {}
        self._matched = [0] * max(1, size.bit_length())  # rows matched per level (0: leaves)

    def compare(
        self,
        notification_ids: Sequence[int],
        event_hashes: Sequence[bytes],
        nodes: Sequence[Sequence[bytes]],
    ) -> None:
        """Compare the next verified events and the next inner nodes of each level."""
        if self.differs:
            return
        start = self._matched[0]
        take = min(len(event_hashes), self.size - start)
        if take > 0:  # only the first `take` of the events are leaves of the stored tree
            leaves = list(islice(self._leaves, take))
            ours = zip(range(start, start + take), notification_ids, event_hashes, strict=False)
            self._match(0, leaves == list(ours), take)
        for level in range(1, len(self._matched)):
            count = self.size >> level
            start = self._matched[level]
            take = min(len(nodes[level]), count - start)
            if take <= 0:
                continue
            found = self._levels.get(level)
            if found is None:
                found = self._levels[level] = iter(self._stored_level(level, count))
            stored = list(islice(found, take))
            ours_nodes = zip(range(start, start + take), nodes[level], strict=False)
            self._match(level, stored == list(ours_nodes), take)

    def _match(self, level: int, equal: bool, count: int) -> None:
        if equal:
            self._matched[level] += count
        else:
            self.differs = True

    def matched(self) -> bool:
        """Every stored leaf and node below `size` was compared and equals the ledger's."""
        return not self.differs and all(
            matched == self.size >> level for level, matched in enumerate(self._matched)
        )
