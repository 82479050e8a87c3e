"""R-LED-7: `celltrace verify --read-models` recomputes the read models from the events with
the projections' own code and reports every stored row that differs - a forged item status,
rewritten timeline actors, deleted genealogy edges, an invented item - on both backends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.generate import generate
from ledger.bootstrap import bring_up_to_date, open_ledger
from ledger.config import Settings
from tests.attacker import Attacker
from tests.cli import run_in_process
from tests.specimen import record_samples


def verify(settings: Settings, *args: str) -> tuple[int, dict[str, Any]]:
    code, out = run_in_process(settings, "verify", "--json", *args)
    return code, json.loads(out)


@pytest.fixture
def generated(settings: Settings) -> Settings:
    # Given a generated history (donors to patients, ~300 events) and its read models
    generate(settings, 300)
    bring_up_to_date(settings)
    return settings


def test_r_led_7_read_models_recomputed_from_the_events_match(generated: Settings) -> None:
    # When the untouched ledger is verified with its read models
    code, report = verify(generated, "--read-models")
    # Then every stored row is what the events imply
    models = report["read_models"]
    assert code == 0, models["differences"][:3]
    assert models["intact"] is True and models["rows_compared"] > 300
    assert models["position"] == int(str(report["chain_head"]).split(":")[0])


def test_r_led_7_forged_and_deleted_read_model_rows_are_each_reported(
    generated: Settings,
) -> None:
    attacker = Attacker(generated.database)
    # When the attacker certifies a filled vial until 2099 in `items`
    vial = attacker.run("SELECT code FROM items WHERE item_type = 'PVL' ORDER BY code")[0][0]
    attacker.run(
        "UPDATE items SET status = 'certified', expiry = '2099-12-31' WHERE code = ?", vial
    )
    # And deletes the genealogy edges that lead to a product lot
    lot = attacker.run("SELECT code FROM items WHERE item_type = 'LOT' ORDER BY code")[0][0]
    edges = attacker.run("SELECT COUNT(*) FROM genealogy_edges WHERE child_code = ?", lot)[0][0]
    attacker.run("DELETE FROM genealogy_edges WHERE child_code = ?", lot)
    # And rewrites who performed one step in the timeline
    step = attacker.run("SELECT MAX(notification_id) FROM timeline")[0][0]
    attacker.run("UPDATE timeline SET actor_id = 'PER-NOBODY' WHERE notification_id = ?", step)
    # And invents an item
    attacker.run(
        "INSERT INTO items (code, item_type, originator_id, status, holds, created_at, "
        "created_notification_id) VALUES ('LOT-F01-26-999999-X', 'LOT', "
        "'00000000-0000-0000-0000-000000000001', 'certified', '[]', '2026-01-01', 1)"
    )
    # Then the ledger itself is intact, so plain verify cannot see any of it...
    assert verify(generated)[0] == 0
    # ...and --read-models reports each row: table, item, stored and expected
    code, report = verify(generated, "--read-models")
    assert code == 1
    found = report["read_models"]["differences"]
    by_table: dict[str, list[dict[str, Any]]] = {}
    for difference in found:
        by_table.setdefault(difference["table"], []).append(difference)
    forged = next(d for d in by_table["items"] if d["items"] == [vial])
    assert (forged["stored"]["status"], forged["stored"]["expiry"]) == ("certified", "2099-12-31")
    assert forged["expected"]["status"] != "certified"
    assert "status stored 'certified'" in forged["message"]
    invented = next(d for d in by_table["items"] if d["items"] == ["LOT-F01-26-999999-X"])
    assert invented["expected"] is None
    missing = [d for d in by_table["genealogy_edges"] if d["stored"] is None]
    assert edges > 0 and len(missing) == edges
    assert all(d["expected"]["child_code"] == lot for d in missing)
    (actor,) = by_table["timeline"]
    assert actor["key"] == {"notification_id": step}
    assert actor["stored"]["actor_id"] == "PER-NOBODY"
    assert len(found) == 2 + edges + 1


def test_r_led_7_read_models_that_lag_are_compared_up_to_their_position(
    generated: Settings,
) -> None:
    # Given events recorded after the read models last caught up (a projection lagging)
    _, before = verify(generated, "--read-models")
    app = open_ledger(generated)
    record_samples(app, 2)
    app.close()
    # When verified with the read models / Then intact, compared up to where they are
    code, report = verify(generated, "--read-models")
    assert code == 0, report["read_models"]["differences"][:3]
    assert report["read_models"]["position"] == before["read_models"]["position"]
    assert report["events_verified"] > before["events_verified"]
