"""R-LED-4 through the HTTP API, as an auditor who trusts only the published keys: fetch the
signed checkpoint, recompute an entry's event hash from its exact fields, check its inclusion
proof, and an item's history and proof bundle (R-TRC-3)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.identifiers import ItemType
from ledger.integrity.chain import event_hash
from ledger.integrity.merkle import leaf_hash, root_of, verify_consistency, verify_inclusion
from ledger.integrity.note import Verifier, open_checkpoint
from tests.codes import demo_code
from tests.e2e.readers import as_role

VIAL = demo_code(ItemType.BANK_VIAL, 15)  # the working-bank vial the demo thaws


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("api-ledger")
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    run_demo(settings, lambda _: None)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _log_key(client: TestClient) -> Verifier:
    lines = client.get("/api/v1/ledger/keys").text.splitlines()
    assert any("/labels+" in line for line in lines)  # the label key is published beside it
    return Verifier.from_key_string(next(line for line in lines if "/labels+" not in line))


def test_r_led_4_auditor_checks_an_entry_against_the_signed_checkpoint(client: TestClient) -> None:
    # Given the latest checkpoint, verified with the published log key alone
    note = client.get("/api/v1/ledger/checkpoint")
    assert note.headers["content-type"].startswith("text/plain")
    checkpoint, _ = open_checkpoint(note.text, [_log_key(client)])
    # When entry 10 is fetched and its event hash recomputed from its exact fields
    entry = client.get("/api/v1/ledger/entries/10", headers=as_role(client, "auditor")).json()
    rec = entry["record"]
    recomputed = event_hash(
        rec["notification_id"],
        rec["originator_id"],
        rec["originator_version"],
        rec["topic"],
        base64.b64decode(rec["state"]),
        bytes.fromhex(rec["previous_event_hash"]),
    )
    assert recomputed.hex() == entry["event_hash"]
    assert leaf_hash(recomputed).hex() == entry["leaf_hash"]
    # Then its inclusion proof leads to the signed root
    proof = client.get(
        "/api/v1/ledger/proof/inclusion", params={"index": 10, "size": checkpoint.size}
    ).json()
    verify_inclusion(
        leaf_hash(recomputed),
        10,
        checkpoint.size,
        [bytes.fromhex(h) for h in proof["proof"]],
        checkpoint.root_hash,
    )


def test_r_led_4_consistency_proof_between_two_sizes_verifies(client: TestClient) -> None:
    checkpoint, _ = open_checkpoint(
        client.get("/api/v1/ledger/checkpoint").text, [_log_key(client)]
    )
    old = checkpoint.size // 2
    # The auditor's earlier root at `old`, recomputed here from the published leaves
    auditor = as_role(client, "auditor")
    leaves = [
        bytes.fromhex(
            client.get(f"/api/v1/ledger/entries/{i}", headers=auditor).json()["leaf_hash"]
        )
        for i in range(old)
    ]
    proof = client.get(
        "/api/v1/ledger/proof/consistency", params={"old": old, "new": checkpoint.size}
    ).json()
    verify_consistency(
        old,
        checkpoint.size,
        root_of(leaves),
        checkpoint.root_hash,
        [bytes.fromhex(h) for h in proof["proof"]],
    )


def test_r_trc_3_item_history_has_log_indexes_and_a_downloadable_proof(client: TestClient) -> None:
    qa = as_role(client, "qa")
    items = client.get(f"/api/v1/items/{VIAL}/history", headers=qa).json()
    assert all(isinstance(e["log_index"], int) for e in items)
    proof = client.get(f"/api/v1/items/{VIAL}/proof", headers=qa)
    assert proof.status_code == 200
    assert proof.text.startswith(f"celltrace/item-proof@v1\nitem {VIAL}\n")
    assert proof.text.count("\nindex ") == len(items)


def test_r_id_2_item_label_is_served_in_each_format(client: TestClient) -> None:
    operator = as_role(client, "operator")
    for fmt, media in (("png", "image/png"), ("svg", "image/svg+xml"), ("zpl", "application")):
        response = client.get(
            f"/api/v1/items/{VIAL}/label.{fmt}",
            params={"reason": f"{fmt} file for the label printer"},
            headers=operator,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        if fmt == "zpl":
            assert response.text.startswith("^XA")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/ledger/entries/999999", 404),
        ("/api/v1/ledger/proof/inclusion?index=500&size=100", 422),
        ("/api/v1/ledger/proof/consistency?old=100&new=50", 422),
        ("/api/v1/ledger/proof/inclusion?index=-1&size=5", 422),
    ],
)
def test_r_led_4_impossible_proof_requests_are_clear_errors(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path, headers=as_role(client, "auditor"))
    assert response.status_code == status
    assert set(response.json()) == {"error", "detail", "violations"}
