"""RFC 9162 Merkle tree of the CellTrace transparency log: hashes, roots and proofs (R-LED-4).

Implements RFC 9162 section 2.1: the Merkle Tree Hash (2.1.1), inclusion proofs (2.1.3.1
generation, 2.1.3.2 verification) and consistency proofs (2.1.4.1 generation, 2.1.4.2
verification), with leaf hash SHA-256(0x00 || leaf) and node hash SHA-256(0x01 || left || right).

Roots and proofs are answered from a store of COMPLETE-subtree hashes, so a database needs
O(log n) reads and never rebuilds the tree: node (level, index) holds the Merkle Tree Hash of
leaves [index * 2**level, (index + 1) * 2**level), and level 0 holds the leaf hashes. The hash
of an incomplete right edge is folded from complete subtrees on demand (RFC 9162 2.1.1: the
MTH of n leaves is HASH(0x01 || MTH(first k) || MTH(rest)), k the largest power of two < n).

Only the standard library is imported, so an offline verifier can reuse this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256() for the empty tree (RFC 9162 2.1.1)."""

NodeId = tuple[int, int]
"""(level, index): the complete subtree over leaves [index * 2**level, (index + 1) * 2**level)."""

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """An inclusion or consistency proof does not verify (RFC 9162 2.1.3.2, 2.1.4.2)."""


class NodeReader(Protocol):
    """Batch read of stored complete-subtree hashes, returned in the order asked for."""

    def get_nodes(self, ids: Sequence[tuple[int, int]]) -> Sequence[bytes]: ...


def leaf_hash(data: bytes) -> bytes:
    """Return the leaf hash SHA-256(0x00 || data) (RFC 9162 2.1.1)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the interior node hash SHA-256(0x01 || left || right) (RFC 9162 2.1.1)."""
    return _sha256(b"\x01" + left + right).digest()


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH(D[n]) of these leaf hashes (RFC 9162 2.1.1); the empty tree is SHA-256().

    Pairs neighbours level by level and carries a lone last node up unchanged, which yields
    exactly the RFC's split at the largest power of two smaller than n.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        it = iter(level)
        paired = [_sha256(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=False)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def needed_for_root(size: int) -> list[NodeId]:
    """Return the complete subtrees, left to right, whose right fold is the root at `size`."""
    _check_size(size)
    return _subtrees(0, size)


def root_at(reader: NodeReader, size: int) -> bytes:
    """Return the tree head MTH(D[size]) (RFC 9162 2.1.1) with one batch of <= log2(n)+1 reads."""
    ids = needed_for_root(size)
    if not ids:
        return EMPTY_ROOT
    return _fold(_read(reader, ids))


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """Return the audit path PATH(index, D[size]) of RFC 9162 2.1.3.1, leaf side first.

    One batch read of at most 2 * log2(size) + 1 stored nodes.
    """
    _check_size(size)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    return _hashes_of_ranges(reader, _inclusion_ranges(index, size))


def consistency_proof(reader: NodeReader, old: int, new: int) -> list[bytes]:
    """Return PROOF(old, D[new]) of RFC 9162 2.1.4.1 (empty when old == new).

    RFC 9162 defines the proof for 0 < old; any tree trivially extends the empty tree.
    One batch read of at most 2 * log2(new) + 1 stored nodes.
    """
    _check_size(new)
    if not 0 < old <= new:
        raise ValueError(
            f"no consistency proof from size {old} to size {new} (need 0 < old <= new)"
        )
    return _hashes_of_ranges(reader, _consistency_ranges(old, new))


def nodes_to_store(
    start_index: int, new_leaf_hashes: Sequence[bytes], reader: NodeReader
) -> list[tuple[int, int, bytes]]:
    """Return every complete subtree (level, index, hash) that appending these leaves creates.

    The tree holds `start_index` leaves before the append. Level-0 entries are the new leaf
    hashes themselves. A new node whose left child completed before the append reads that
    child through `reader`: at most one per level, fetched in a single batch.
    """
    return [
        (level, first + i, h)
        for level, first, hashes in new_subtrees(start_index, new_leaf_hashes, reader)
        for i, h in enumerate(hashes)
    ]


def new_subtrees(
    start_index: int, new_leaf_hashes: Sequence[bytes], reader: NodeReader
) -> list[tuple[int, int, list[bytes]]]:
    """`nodes_to_store` grouped by level: (level, first index, hashes of the consecutive
    nodes from there), level 0 (the leaf hashes) first."""
    _check_size(start_index)
    if set(map(len, new_leaf_hashes)) - {HASH_SIZE}:
        for position, h in enumerate(new_leaf_hashes):
            if len(h) != HASH_SIZE:
                raise ValueError(f"leaf hash {position} is {len(h)} bytes, not {HASH_SIZE}")
    end = start_index + len(new_leaf_hashes)
    # At level l the new nodes are [start >> l, end >> l); when start >> (l - 1) is odd, the
    # first one's left child is an old node that must be read.
    old_left: list[NodeId] = []
    level = 1
    while (end >> level) > (start_index >> level):
        below_first = start_index >> (level - 1)
        if below_first & 1:
            old_left.append((level - 1, below_first - 1))
        level += 1
    existing = dict(zip(old_left, _read(reader, old_left), strict=True)) if old_left else {}

    current = list(new_leaf_hashes)
    out = [(0, start_index, current)]
    first = start_index
    level = 1
    while (end >> level) > (start_index >> level):
        if first & 1:
            first -= 1
            current = [existing[(level - 1, first)], *current]
        it = iter(current)
        current = [_sha256(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=False)]
        first >>= 1
        out.append((level, first, current))
        level += 1
    return out


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """Return the root that an inclusion proof implies, per RFC 9162 2.1.3.2 steps 1-4.

    Raises ProofError when the proof cannot belong to (index, size): index out of range,
    wrong number of hashes, or a hash that is not 32 bytes.
    """
    if size < 0 or not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash("leaf hash", leaf_hash)
    _check_proof_hashes(proof)
    expected = len(_inclusion_ranges(index, size))
    if len(proof) != expected:
        raise ProofError(
            f"inclusion proof for leaf {index} in a tree of size {size} must have "
            f"{expected} hashes, got {len(proof)}"
        )
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Verify that `leaf_hash` is leaf `index` of the tree of `size` with head `root`.

    RFC 9162 2.1.3.2; raises ProofError with the reason, returns None when proven.
    """
    _check_hash("root", root)
    computed = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof for leaf {index} in a tree of size {size} leads to root "
            f"{computed.hex()}, not {root.hex()}"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Verify that the tree (new_size, new_root) extends (old_size, old_root).

    RFC 9162 2.1.4.2 covers 0 < old_size < new_size. Equal sizes need an empty proof and equal
    roots (the empty tree's root must be SHA-256()). A proof from size 0 is refused as
    meaningless: the caller checks the old root is SHA-256() instead. Raises ProofError.
    """
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"tree size cannot shrink from {old_size} to {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError(f"consistency proof between equal sizes {old_size} must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same tree size {old_size}")
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree must be SHA-256 of the empty string")
        return
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree is undefined (RFC 9162 2.1.4.2)")
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    _check_proof_hashes(proof)
    expected = len(_consistency_ranges(old_size, new_size))
    if len(proof) != expected:
        raise ProofError(
            f"consistency proof from size {old_size} to {new_size} must have "
            f"{expected} hashes, got {len(proof)}"
        )
    # Step 2: a power-of-two old tree is itself a node of the new tree; its root starts the path.
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the new root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the new root")
    if fr != old_root:
        raise ProofError(
            f"consistency proof leads to old root {fr.hex()}, not {old_root.hex()} "
            f"(size {old_size})"
        )
    if sr != new_root:
        raise ProofError(
            f"consistency proof leads to new root {sr.hex()}, not {new_root.hex()} "
            f"(size {new_size})"
        )


class InMemoryNodes:
    """A NodeReader over a dict of complete-subtree hashes, for tests and offline verifiers."""

    def __init__(self, nodes: Iterable[tuple[int, int, bytes]] = ()) -> None:
        self._nodes: dict[NodeId, bytes] = {}
        self._size = 0
        self.add(nodes)

    @property
    def size(self) -> int:
        """Number of leaves: one past the highest stored level-0 index."""
        return self._size

    def add(self, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        """Store (level, index, hash) entries, e.g. the output of `nodes_to_store`."""
        for level, index, h in nodes:
            self._nodes[(level, index)] = h
            if level == 0 and index >= self._size:
                self._size = index + 1

    def append_leaves(self, new_leaf_hashes: Sequence[bytes]) -> None:
        """Append leaf hashes after the current size, storing every completed subtree."""
        self.add(nodes_to_store(self._size, new_leaf_hashes, self))

    def get_nodes(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        """Return the stored hashes in the order of `ids`; KeyError names a missing node."""
        try:
            return [self._nodes[node_id] for node_id in ids]
        except KeyError as exc:
            raise KeyError(f"no stored Merkle node at (level, index) {exc.args[0]}") from None


def _check_size(size: int) -> None:
    if size < 0:
        raise ValueError(f"tree size {size} is negative")


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for position, h in enumerate(proof):
        _check_hash(f"proof hash {position}", h)


def _largest_power_of_two_below(n: int) -> int:
    """k of RFC 9162 2.1.1: the largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtrees(begin: int, end: int) -> list[NodeId]:
    """Complete subtrees, largest first, whose right fold is MTH(D[begin:end]).

    Valid for every range the RFC 9162 recursion produces: `begin` is then a multiple of a
    power of two >= end - begin, so each piece is an aligned, stored node.
    """
    ids: list[NodeId] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        ids.append((level, begin >> level))
        begin += 1 << level
    return ids


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of subtree hashes: MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def _read(reader: NodeReader, ids: Sequence[NodeId]) -> list[bytes]:
    hashes = list(reader.get_nodes(ids))
    if len(hashes) != len(ids):
        raise LookupError(f"node reader returned {len(hashes)} hashes for {len(ids)} node ids")
    for node_id, h in zip(ids, hashes, strict=True):
        if len(h) != HASH_SIZE:
            raise ValueError(f"stored Merkle node {node_id} is {len(h)} bytes, not {HASH_SIZE}")
    return hashes


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PATH(index, D[size]) (RFC 9162 2.1.3.1), leaf side first."""
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def _consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PROOF(old, D[new]) = SUBPROOF(old, D[new], true).

    RFC 9162 2.1.4.1, unrolled: `whole` is the flag b, cleared once the old tree's right
    edge is inside the current subtree rather than its whole.
    """
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, new
    whole = True
    while old != hi:
        k = _largest_power_of_two_below(hi - lo)
        if old - lo <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            whole = False
    if not whole:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def _hashes_of_ranges(reader: NodeReader, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """MTH of each range, from one batch read of the complete subtrees they decompose into."""
    pieces = [_subtrees(lo, hi) for lo, hi in ranges]
    ids = list(dict.fromkeys(node_id for piece in pieces for node_id in piece))
    stored = dict(zip(ids, _read(reader, ids), strict=True)) if ids else {}
    return [_fold([stored[node_id] for node_id in piece]) for piece in pieces]
