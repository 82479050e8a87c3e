"""RFC 9162 Merkle tree: known-answer vectors, properties and read bounds (R-LED-4)."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity.merkle import (
    EMPTY_ROOT,
    InMemoryNodes,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    needed_for_root,
    node_hash,
    nodes_to_store,
    root_at,
    root_of,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parents[1] / "data" / "merkle"
INCLUSION_FILES = sorted((VECTORS / "inclusion").rglob("*.json"))
CONSISTENCY_FILES = sorted((VECTORS / "consistency").rglob("*.json"))

# The standard 8-leaf test tree and its roots by size (tests/data/merkle/README.md).
STANDARD_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
STANDARD_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b64(h) for h in vector["proof"] or []]


def _vector_id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def _standard_tree() -> InMemoryNodes:
    nodes = InMemoryNodes()
    nodes.append_leaves([leaf_hash(d) for d in STANDARD_LEAVES])
    return nodes


# Reference implementation straight from the RFC 9162 2.1 recursive definitions.
def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(hashes: Sequence[bytes]) -> bytes:
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_mth(hashes[:k]), _mth(hashes[k:]))


def _path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) <= 1:
        return []
    k = _split(len(hashes))
    if m < k:
        return [*_path(m, hashes[:k]), _mth(hashes[k:])]
    return [*_path(m - k, hashes[k:]), _mth(hashes[:k])]


def _subproof(m: int, hashes: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if whole else [_mth(hashes)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], whole), _mth(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), _mth(hashes[:k])]


class _CountingReader:
    """Answers any node id with a synthetic hash and records every batch asked for."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[int, int]]] = []

    def get_nodes(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        self.calls.append(list(ids))
        return [hashlib.sha256(repr(node_id).encode()).digest() for node_id in ids]


@pytest.mark.parametrize("path", INCLUSION_FILES, ids=_vector_id)
def test_r_led_4_inclusion_vector_is_accepted_or_rejected_as_published(path: Path) -> None:
    """R-LED-4: every transparency-dev inclusion probe; wantErr ones must raise ProofError."""
    # Given a published inclusion probe
    v = _load(path)
    args = (_b64(v["leafHash"]), v["leafIdx"], v["treeSize"], _proof(v), _b64(v["root"]))
    # When it is verified / Then it is refused exactly when the vector says so
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY_FILES, ids=_vector_id)
def test_r_led_4_consistency_vector_is_accepted_or_rejected_as_published(path: Path) -> None:
    """R-LED-4: every transparency-dev consistency probe; wantErr ones must raise ProofError."""
    # Given a published consistency probe
    v = _load(path)
    args = (v["size1"], v["size2"], _b64(v["root1"]), _b64(v["root2"]), _proof(v))
    # When it is verified / Then it is refused exactly when the vector says so
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


@pytest.mark.parametrize("size", range(9))
def test_r_led_4_roots_of_the_standard_tree_match_the_published_roots(size: int) -> None:
    # Given the standard 8-leaf tree stored as complete subtrees
    nodes = _standard_tree()
    hashes = [leaf_hash(d) for d in STANDARD_LEAVES[:size]]
    # When the root at each size is computed from stored nodes and from the leaves
    # Then both equal the published root
    assert root_at(nodes, size).hex() == STANDARD_ROOTS[size]
    assert root_of(hashes).hex() == STANDARD_ROOTS[size]


def test_r_led_4_empty_tree_root_is_sha256_of_nothing_and_reads_no_node() -> None:
    # Given a reader that counts its calls
    reader = _CountingReader()
    # When the root of the empty tree is asked for
    root = root_at(reader, 0)
    # Then it is SHA-256 of the empty string and nothing was read
    assert root == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert reader.calls == []


def test_r_led_4_generated_proofs_equal_the_published_happy_path_proofs() -> None:
    # Given the standard tree and the happy-path vectors over it
    nodes = _standard_tree()
    for path in INCLUSION_FILES + CONSISTENCY_FILES:
        v = _load(path)
        if v["wantErr"] or "happy" not in path.name:
            continue
        # When the proof is generated from the stored nodes / Then it is the published one
        if "leafIdx" in v:
            assert inclusion_proof(nodes, v["leafIdx"], v["treeSize"]) == _proof(v), path
        else:
            assert consistency_proof(nodes, v["size1"], v["size2"]) == _proof(v), path


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=2000),
    batches=st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=40),
    data=st.data(),
)
def test_r_led_4_stored_tree_matches_rfc_9162_and_its_proofs_verify(
    size: int, batches: list[int], data: st.DataObject
) -> None:
    # Given leaves appended in random batch sizes through nodes_to_store
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    nodes = InMemoryNodes()
    start, sizes_seen, turn = 0, [], 0
    while start < size:
        batch = hashes[start : start + batches[turn % len(batches)]]
        nodes.add(nodes_to_store(start, batch, nodes))
        start += len(batch)
        sizes_seen.append(start)
        turn += 1
    # When roots and proofs are computed from the stored complete subtrees
    # Then the roots equal the naive recursive MTH at the final and sampled sizes
    probe_sizes = {size, *data.draw(st.lists(st.integers(1, size), max_size=4)), sizes_seen[0]}
    for n in probe_sizes:
        assert root_at(nodes, n) == _mth(hashes[:n])
    root = root_at(nodes, size)
    # And sampled inclusion proofs equal the RFC PATH and verify
    for index in data.draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=5)):
        proof = inclusion_proof(nodes, index, size)
        assert proof == _path(index, hashes)
        verify_inclusion(hashes[index], index, size, proof, root)
    # And sampled consistency proofs equal the RFC PROOF and verify
    for old in data.draw(st.lists(st.integers(1, size), min_size=1, max_size=5)):
        proof = consistency_proof(nodes, old, size)
        assert proof == _subproof(old, hashes, True)
        verify_consistency(old, size, _mth(hashes[:old]), root, proof)


@pytest.mark.parametrize("size", [1, 2, 1_000_000, 1_048_575, 1_048_576, 1_234_567, 2**40 - 3])
def test_r_led_4_root_and_proofs_read_one_batch_of_log_n_nodes(size: int) -> None:
    # Given a synthetic store of any size that counts the node ids asked for
    bound = 2 * math.ceil(math.log2(size)) + 2 if size > 1 else 2
    for index in {0, size // 3, size // 2, size - 1}:
        for ask in (
            lambda r: root_at(r, size),
            lambda r, i=index: inclusion_proof(r, i, size),
            lambda r, i=index: consistency_proof(r, i + 1, size),
        ):
            reader = _CountingReader()
            # When a root or a proof is computed
            ask(reader)
            # Then at most one batch of at most 2*ceil(log2 n)+2 distinct ids was read
            assert len(reader.calls) <= 1
            ids = [node_id for call in reader.calls for node_id in call]
            assert len(ids) == len(set(ids)) <= bound


def test_r_led_4_append_reads_at_most_one_old_node_per_level_in_one_batch() -> None:
    # Given a tree of 1,000,001 leaves (only its left edge nodes are consulted)
    reader = _CountingReader()
    new = [leaf_hash(bytes([i])) for i in range(7)]
    # When seven leaves are appended
    out = nodes_to_store(1_000_001, new, reader)
    # Then one batch read, at most one per level, and every new node is complete and new
    assert len(reader.calls) == 1
    assert len(reader.calls[0]) <= math.ceil(math.log2(1_000_008))
    for level, index, h in out:
        assert (index + 1) << level <= 1_000_008
        assert (index + 1) << level > 1_000_001
        assert len(h) == 32


def test_r_led_4_needed_for_root_lists_the_complete_subtrees_left_to_right() -> None:
    # Given a tree of 13 = 8 + 4 + 1 leaves / When the root's nodes are listed
    # Then they are the complete subtrees over [0, 8), [8, 12) and [12, 13)
    assert needed_for_root(13) == [(3, 0), (2, 2), (0, 12)]
    assert needed_for_root(0) == []


def test_r_led_4_inclusion_proof_is_refused_for_a_neighbouring_leaf() -> None:
    # Given a valid proof for leaf 3 of the standard tree
    nodes = _standard_tree()
    proof = inclusion_proof(nodes, 3, 8)
    root = root_at(nodes, 8)
    # When it is presented for leaf 2's hash / Then it is refused with the computed root
    with pytest.raises(ProofError, match="leads to root"):
        verify_inclusion(leaf_hash(STANDARD_LEAVES[2]), 3, 8, proof, root)


def test_r_led_4_consistency_proof_is_refused_against_a_forked_old_root() -> None:
    # Given a valid proof from size 5 to size 8
    nodes = _standard_tree()
    proof = consistency_proof(nodes, 5, 8)
    forked = node_hash(root_at(nodes, 4), leaf_hash(b"forged"))
    # When the old root belongs to a different history / Then it is refused
    with pytest.raises(ProofError, match="old root"):
        verify_consistency(5, 8, forked, root_at(nodes, 8), proof)


def test_r_led_4_generation_refuses_out_of_range_arguments() -> None:
    # Given the standard tree / When proofs outside the tree are asked for / Then ValueError
    nodes = _standard_tree()
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(nodes, 8, 8)
    with pytest.raises(ValueError, match="0 < old <= new"):
        consistency_proof(nodes, 0, 8)
    with pytest.raises(ValueError, match="32"):
        nodes_to_store(8, [b"short"], nodes)
    assert consistency_proof(nodes, 8, 8) == []


def test_r_led_4_missing_stored_node_is_reported_by_id() -> None:
    # Given an empty store / When a root over absent nodes is asked for / Then KeyError names it
    with pytest.raises(KeyError, match=r"\(2, 0\)"):
        root_at(InMemoryNodes(), 4)
