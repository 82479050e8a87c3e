"""`celltrace trace CODE [--down] [--json]` on a generated Domain I ledger (R-TRC-1, R-TRC-2):
a readable tree up to the donor, and every descendant with its status and place as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.generate import Generator, Lineage, Shape, main
from ledger.application import CellTraceLedger
from ledger.bootstrap import init_ledger
from ledger.config import Settings
from ledger.demo.records import register_staff
from ledger.identifiers import ItemCode, ItemType
from tests.e2e.test_cli_foundation import run


def one_lineage(data: Path) -> Lineage:
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    init_ledger(settings)
    app = CellTraceLedger(settings)
    try:
        generator = Generator(app, register_staff(app, lambda _line: None))
        return generator.lineage(Shape(working_vials=3))
    finally:
        app.close()


def test_r_trc_1_cli_trace_prints_a_tree_from_a_thawed_vial_to_the_donor(tmp_path: Path) -> None:
    # Given a lineage from a donor to a thawed working-bank vial
    lineage = one_lineage(tmp_path)
    # When tracing the vial up
    result = run(tmp_path, "trace", lineage.deepest)
    # Then the tree starts at the vial and reaches the donor, naming each step
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{lineage.deepest}  [thawed]"
    assert f"collection: {lineage.donor}  [eligible]" in result.stdout
    for step in ("vials filled", "working bank", "master bank", "seed bank", "isolation"):
        assert f"{step}: " in result.stdout
    assert "material used in: MAT-" in result.stdout


def test_r_trc_2_cli_trace_down_json_lists_every_vial_with_its_place(tmp_path: Path) -> None:
    # Given a lineage from a donor to a thawed working-bank vial
    lineage = one_lineage(tmp_path)
    # When tracing the donor down as JSON
    result = run(tmp_path, "trace", lineage.donor, "--down", "--json")
    # Then every item of the lineage is a node, stored vials with their place
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)
    nodes = {node["code"]: node for node in graph["nodes"]}
    assert set(nodes) == {lineage.donor, *lineage.items}
    stored = [n for n in nodes.values() if n["item_type"] == "BVL" and n["status"] == "in storage"]
    assert stored and all(n["location"].startswith("LN2-T1/R3/") for n in stored)


def test_r_trc_1_cli_trace_of_an_unknown_code_exits_2(tmp_path: Path) -> None:
    # Given a ledger without the item
    one_lineage(tmp_path)
    unknown = str(ItemCode.issue(ItemType.BANK_VIAL, "F01", 26, 999_999))
    # When tracing it
    result = run(tmp_path, "trace", unknown)
    # Then it exits 2 saying it is not recorded
    assert result.returncode == 2
    assert "not recorded" in result.stderr


def test_r_trc_2_the_generator_records_through_the_ledger_and_reports_its_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # When the data generator is asked for a few hundred events
    assert main(["--events", "300", "--db", str(tmp_path / "gen" / "ledger.db")]) == 0
    # Then it recorded at least that many through the ledger and says how fast
    settings = Settings(
        data_dir=tmp_path / "gen", database_url=f"sqlite:///{tmp_path}/gen/ledger.db"
    )
    app = CellTraceLedger(settings)
    recorded = app.recorder.max_notification_id() or 0
    app.close()
    assert recorded >= 300
    out = capsys.readouterr().out
    assert f"{recorded} events" in out and " events/s)" in out
