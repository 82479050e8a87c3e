"""R-LED-4: the verifier's compact range recomputes RFC 9162 roots from streamed leaves in
O(log n) memory."""

from __future__ import annotations

import hashlib

from ledger.integrity.merkle import root_of
from ledger.integrity.tree_audit import CompactRange
from tests.unit.test_merkle import STANDARD_LEAVES, STANDARD_ROOTS


def test_r_led_4_compact_range_gives_the_published_roots_of_the_standard_tree() -> None:
    # Given the standard 8-leaf test tree streamed leaf by leaf
    tree = CompactRange()
    # Then the root after each size matches the published root (size 0 included)
    assert tree.root().hex() == STANDARD_ROOTS[0]
    for size, leaf in enumerate(STANDARD_LEAVES, 1):
        tree.append(hashlib.sha256(b"\x00" + leaf).digest())
        assert tree.root().hex() == STANDARD_ROOTS[size]


def test_r_led_4_compact_range_equals_the_full_root_and_keeps_log_n_subtrees() -> None:
    # Given 300 leaves appended one by one
    leaves = [hashlib.sha256(i.to_bytes(2, "big")).digest() for i in range(300)]
    tree = CompactRange()
    for n, leaf in enumerate(leaves, 1):
        tree.append(leaf)
        # Then at every size the root is the RFC 9162 root and one subtree per set bit is kept
        assert tree.root() == root_of(leaves[:n])
        assert len(tree._subtrees) == bin(n).count("1")
