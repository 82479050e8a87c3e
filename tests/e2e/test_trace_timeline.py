# ruff: noqa: RUF001 - the Chinese sentences are written with full-width punctuation
"""The auditor's timeline of a product vial (R-TRC-3, R-TRC-2, R-ACC-5): the demo's dosed vial
shows its chain of custody in words, in English and Chinese - shipment, receipt, QP release,
storage, dispensing, thaw and administration, each marked with the item it was recorded on -
and a kit's timeline names no arm and no real lot. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.identifiers import ItemType
from tests.codes import demo_code
from tests.conftest import new_pg_database, pg_url
from tests.e2e.readers import as_role

VIAL = demo_code(ItemType.PRODUCT_VIAL, 1)  # the demo's dosed vial
SIBLING = demo_code(ItemType.PRODUCT_VIAL, 2)  # shipped with it, never dispensed
KIT = demo_code(ItemType.PRODUCT_VIAL, 11)  # a kit of the blinded study, dosed and unblinded
SHIPMENT = demo_code(ItemType.SHIPMENT, 1)
PATIENT = demo_code(ItemType.PATIENT, 1)
UNIT = demo_code(ItemType.STORAGE_UNIT, 2)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("timeline") / "data"
    if request.param == "sqlite":
        yield from _served(Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}"))
        return
    with new_pg_database(request.getfixturevalue("pg_admin")) as db:
        yield from _served(Settings(data_dir=data, database_url=pg_url(db)))


def _served(settings: Settings) -> Iterator[TestClient]:
    run_demo(settings, lambda _: None)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def timeline(client: TestClient, code: str, lang: str) -> list[tuple[str, str]]:
    """(recorded on, what happened) of each row of `code`'s timeline, as the auditor reads it."""
    panel = client.get(
        f"/trace/{code}/panel", params={"lang": lang}, headers=as_role(client, "auditor")
    )
    assert panel.status_code == 200, panel.text
    table = panel.text[panel.text.index('<table id="timeline">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<tr class="\w+" data-item="([^"]+)".*?<td class="what">(.*?)</td>', table, re.S
    )
    return [(item, html.unescape(what)) for item, what in rows]


def _said(rows: list[tuple[str, str]], item: str, start: str) -> str:
    found = [what for on, what in rows if on == item and what.startswith(start)]
    assert len(found) == 1, (item, start, rows)
    return found[0]


def test_r_trc_2_the_dosed_vials_timeline_tells_its_chain_of_custody_in_english(
    client: TestClient,
) -> None:
    # Given the demo's vial, shipped, received, released, stored, dispensed, thawed and given
    # When the auditor reads its timeline in English
    rows = timeline(client, VIAL, "en")
    # Then each step is said in words on the item it was recorded on, in the order it happened
    steps = [
        (VIAL, "Filled from LOT-"),
        (SHIPMENT, "Shipped to SIT-"),
        (SHIPMENT, "Handed off to ColdCourier driver 17 at "),
        (SHIPMENT, "Logger LG-7: 1 readings, 0 outside -90..-60 C"),
        (SHIPMENT, "Delivered to the site at "),
        (SHIPMENT, "Re-inspected on receipt at the site: passed"),
        (SHIPMENT, "Released for use by the site QP"),
        (SHIPMENT, f"Stored in {UNIT} rack 3/box 1 at -80 C"),
        (SHIPMENT, f"{VIAL} dispensed for {PATIENT} to Ward 5 treatment room"),
        (SHIPMENT, f"{VIAL} thawed at the bedside at "),
        (PATIENT, f"Administered 1.0 mL intravenous to {PATIENT}, dose 1 of 2 ({VIAL}"),
        (SHIPMENT, f"{VIAL} used for {PATIENT}"),
    ]
    positions = [rows.index((item, _said(rows, item, start))) for item, start in steps]
    assert positions == sorted(positions)
    # and no row shows an event's class name instead of words
    assert not [what for _, what in rows if re.fullmatch(r"[A-Za-z]+\.[A-Za-z]+", what)]


def test_r_trc_2_the_dosed_vials_timeline_tells_its_chain_of_custody_in_chinese(
    client: TestClient,
) -> None:
    rows = timeline(client, VIAL, "zh")
    _said(rows, SHIPMENT, "已发往 SIT-")
    _said(rows, SHIPMENT, "研究机构到货复检：合格")
    _said(rows, SHIPMENT, "研究机构质量受权人已放行使用")
    _said(rows, SHIPMENT, f"存放于 {UNIT} rack 3/box 1（-80 C）")
    _said(rows, SHIPMENT, f"{VIAL} 已为 {PATIENT} 发药至 Ward 5 treatment room")
    _said(rows, SHIPMENT, f"{VIAL} 于 ")  # ... 在床旁复苏
    assert any(what.endswith("在床旁复苏") for _, what in rows)
    administered = _said(rows, PATIENT, f"已给予 {PATIENT} 1.0 mL，")
    assert "第 1 剂/共 2 剂" in administered


def test_r_trc_2_a_vial_shows_only_the_custody_events_that_concern_it(
    client: TestClient,
) -> None:
    # Given a vial shipped with the dosed one, released and stored but never dispensed
    rows = timeline(client, SIBLING, "en")
    # Then it shares the shipment's transport and its own receipt and storage, not the other
    # vial's dispensing, thaw or administration
    _said(rows, SHIPMENT, "Shipped to SIT-")
    _said(rows, SHIPMENT, "Released for use by the site QP")
    _said(rows, SHIPMENT, f"Stored in {UNIT} rack 3/box 1")
    assert not [what for _, what in rows if VIAL in what or PATIENT in what]


def test_r_acc_5_a_kits_timeline_names_no_arm_and_no_real_lot(client: TestClient) -> None:
    # Given a kit of the blinded study, dosed and unblinded in an emergency
    for lang in ("en", "zh"):
        rows = timeline(client, KIT, lang)
        text = " ".join(what for _, what in rows)
        # Then its custody is there, and nothing tells its arm or its lot
        assert any(on.startswith("SHP-") for on, _ in rows)
        assert any(on.startswith("PAT-") for on, _ in rows)
        for word in ("placebo", "active", "安慰剂", "LOT-", "v1."):
            assert word not in text, (lang, word)
