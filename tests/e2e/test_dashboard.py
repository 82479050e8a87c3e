"""The dashboards (R-QC-1, R-QC-2, R-QMS-1, R-QMS-2, R-QMS-4, R-QMS-5, R-SHP-1, R-SHP-2,
R-QC-3, R-QC-4, R-CB-4, R-CB-5, R-CLN-4, R-CLN-6, R-CLN-9, R-CLN-10): on the demo's ledger,
with more work added through the ledger's own commands, every list's count equals the count
computed independently, by loading each item's aggregate and asking the domain (not the read
models), both today (through the API) and on a later day, when visits and reports fall due."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.application import Actor, CellTraceLedger
from ledger.bootstrap import bring_up_to_date, open_ledger
from ledger.config import Settings
from ledger.demo.production import EV_SPEC, UC, harvest, lot_results, record_results
from ledger.demo.run import run_demo
from ledger.domain.administration import Dosing
from ledger.domain.adverse_event import Safety
from ledger.domain.bank_vial import BankVial
from ledger.domain.cellbank import CellBank
from ledger.domain.deviation import Capa, Deviation
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import ProductVial
from ledger.domain.shipment import Shipment
from ledger.domain.storage_unit import StorageUnit
from ledger.identifiers import ItemType, item_id
from ledger.projections.dashboard import KINDS, ROLE_LISTS, worklist
from ledger.projections.items import ItemsView
from ledger.projections.tracking import view_engine
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials
from tests.codes import demo_code
from tests.conftest import new_pg_database, pg_url
from tests.e2e.readers import as_role

DAYS = 400  # every demo vial expires within this many days of the demo
LATER = date.today() + timedelta(days=800)  # every visit and report is then overdue


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, TestClient]]:
    data = tmp_path_factory.mktemp("dashboard") / "data"
    if request.param == "sqlite":
        yield from _served(Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}"))
        return
    with new_pg_database(request.getfixturevalue("pg_admin")) as db:
        yield from _served(Settings(data_dir=data, database_url=pg_url(db)))


def _served(settings: Settings) -> Iterator[tuple[Settings, TestClient]]:
    run_demo(settings, lambda _: None)
    _more_work(settings)
    bring_up_to_date(settings)  # on PostgreSQL the worker's job, not the server's
    with TestClient(create_app(settings)) as client:
        yield settings, client


def _more_work(settings: Settings) -> None:
    """Lots in every QC state beside the demo's: one missing results, one with an open OOS
    investigation, one quarantined after a confirmed one, awaiting QA's decision, and one whose
    out-of-specification result was invalidated and retested, awaiting certification."""
    app = open_ledger(settings)
    store = Credentials(app.credentials.engine, "cheapest")
    try:
        staff = {}
        for serial, role in enumerate(["operator", "qc_analyst", "qa"], start=2):
            code = demo_code(ItemType.PERSON, serial)
            store.set_password(code, "dashboard test password")
            staff[role] = Actor(code, role).signed("dashboard test password")
        materials = _material_lots(app)
        culture = demo_code(ItemType.CULTURE, 1)
        made = harvest(app, staff, culture, materials, 4)
        lots = [app.purify_lot(staff["operator"], [h], UC, EV_SPEC)[0] for h in made]
        missing, open_oos, decided, retested = lots
        record_results(app, staff, lot_results(app, missing, skip=["endotoxin"]), missing)
        failing = {"endotoxin": "12.5"}
        for lot in (open_oos, decided, retested):
            record_results(app, staff, lot_results(app, lot, failing=failing), lot)
        qa, analyst = staff["qa"], staff["qc_analyst"]
        app.record_oos_finding(analyst, decided, 1, "laboratory", "re-read: 12.2")
        app.conclude_oos_investigation(qa, decided, 1, False, "", "confirmed")
        # an invalidated result (assignable cause) lifts the quarantine; the retest passes
        app.record_oos_finding(analyst, retested, 1, "laboratory", "reader not calibrated")
        app.conclude_oos_investigation(qa, retested, 1, True, "reader out of calibration", "ok")
        results = app.get_product_lot(retested).results
        failed = next(v for v, r in results.items() if not r["in_spec"])
        retest = next(r for r in lot_results(app, retested) if r["test"] == "endotoxin")
        record_results(app, staff, [{**retest, "replaces": failed}], retested)
    finally:
        app.close()


def _material_lots(app: CellTraceLedger) -> dict[str, str]:
    """The demo's material lots by material reference."""
    found: dict[str, str] = {}
    for code in _codes(app).get("MAT", []):
        lot = app.get_material_lot(code)
        found.setdefault(lot.material, code)
    return found


def _codes(app: CellTraceLedger) -> dict[str, list[str]]:
    """Every item code by its type, from the stored events (not from a read model)."""
    codes: dict[str, list[str]] = {}
    for notification in app.recorder.select_notifications(start=1, limit=1_000_000):
        if notification.originator_version != 1:
            continue
        event = app.mapper.to_domain_event(notification)
        code = str(getattr(event, "code", "") or "")
        if "-" in code:
            codes.setdefault(code.split("-", 1)[0], []).append(code)
    return codes


def independent_counts(app: CellTraceLedger, today: date, days: int) -> dict[str, int]:
    """Every list's count, computed from the aggregates the ledger loads from its events."""
    counts = dict.fromkeys(KINDS, 0)
    load, codes = app.repository.get, _codes(app)

    def each(prefix: str) -> Iterator[Any]:
        for code in codes.get(prefix, []):
            yield load(item_id(code))

    left = {"administered", "disposed", "thawed", "rejected", "recalled", "distributed"}
    out_of_chain: set[str] = set()
    for shipment in each("SHP"):
        assert isinstance(shipment, Shipment)
        status = shipment.shown.status
        counts["in_transit"] += status == "in transit"
        counts["qp_release"] += status in {"at site", "re-inspected"}
        counts["excursion"] += shipment.excursion is not None
        out_of_chain |= set(shipment.used) | set(shipment.thawed) | set(shipment.returned)
    for unit in each("UNT"):
        assert isinstance(unit, StorageUnit)
        counts["excursion"] += unit.excursion is not None
    for lot in each("LOT"):
        assert isinstance(lot, ProductLot)
        open_oos = [i for i in lot.investigations.values() if i["outcome"] == "open"]
        counts["oos"] += len(open_oos)
        if lot.certified or lot.rejected or open_oos:
            continue
        if lot.quarantined:
            counts["lot_decision"] += 1
            continue
        passed = {r["test"] for r in lot.standing_results() if r["in_spec"]}
        missing = set(lot.required_tests) - passed
        counts["qc_results" if missing else "certification"] += 1
    for deviation in each("DEV"):
        assert isinstance(deviation, Deviation)
        counts["deviation"] += not deviation.closed
    for capa in each("CPA"):
        assert isinstance(capa, Capa)
        counts["capa"] += capa.effective is not True
    horizon = today + timedelta(days=days)
    for vial in each("PVL"):
        assert isinstance(vial, ProductVial)
        if vial.shown.holds:
            counts["on_hold"] += 1
        in_chain = (
            vial.code not in out_of_chain
            and vial.retained is None
            and vial.shown.status not in left
        )
        counts["expiring"] += in_chain and vial.expiry <= horizon
    stock: dict[str, int] = {}
    for prefix in ("SCB", "MCB", "WCB"):
        for bank in each(prefix):
            assert isinstance(bank, CellBank)
            counts["bank_release"] += bank.shown.status == "quarantine"
            counts["on_hold"] += bool(bank.shown.holds)
    for vial in each("BVL"):
        assert isinstance(vial, BankVial)
        if vial.thawed is None and vial.shown.status == "in storage":
            stock[vial.bank] = stock.get(vial.bank, 0) + 1
        counts["on_hold"] += bool(vial.shown.holds)
    counts["bank_stock"] = len(stock)
    for prefix in ("DON", "COL", "CEL", "CUL", "HRV", "MAT", "CNT", "RTN"):
        counts["on_hold"] += sum(bool(item.shown.holds) for item in each(prefix))
    counts["on_hold"] += sum(bool(lot.shown.holds) for lot in each("LOT"))
    for patient in each("PAT"):
        assert isinstance(patient, Dosing)
        counts["visit"] += len(patient.overdue_visits(today))
    for study in each("STU"):
        assert isinstance(study, Safety)
        counts["sae_report"] += len(study.overdue_reports(today))
        counts["sae_follow_up"] += len(study.overdue_follow_ups(today))
        counts["halt_report"] += len(study.overdue_halt_reports(today))
    return counts


@pytest.fixture(scope="module")
def expected(served: tuple[Settings, TestClient]) -> dict[date, dict[str, int]]:
    settings, _ = served
    app = open_ledger(settings)
    try:
        return {day: independent_counts(app, day, DAYS) for day in (date.today(), LATER)}
    finally:
        app.close()


def test_the_auditor_dashboard_equals_the_independent_counts_today(
    served: tuple[Settings, TestClient], expected: dict[date, dict[str, int]]
) -> None:
    _, client = served
    answer = client.get(
        "/api/v1/worklists", params={"days": DAYS}, headers=as_role(client, "auditor")
    )
    assert answer.status_code == 200, answer.text
    shown = {found["kind"]: found["count"] for found in answer.json()["lists"]}
    assert shown == expected[date.today()]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_list_equals_the_independent_count_when_work_falls_due(
    served: tuple[Settings, TestClient], expected: dict[date, dict[str, int]], kind: str
) -> None:
    settings, _ = served
    with view_engine(settings).connect() as conn:
        found = worklist(conn, kind, LATER, DAYS, 5)
    assert found.count == expected[LATER][kind]


def test_the_generated_ledger_has_work_of_every_kind(
    expected: dict[date, dict[str, int]],
) -> None:
    """The counts above compare something: the demo and the added lots leave known work."""
    later = expected[LATER]
    assert later["qc_results"] == 1  # a lot missing its endotoxin result
    assert later["certification"] == 2  # the demo's last lot and the retested one
    assert later["oos"] == 1 and later["lot_decision"] == 1
    assert later["capa"] == 1 and later["excursion"] == 1 and later["in_transit"] == 1
    assert later["bank_stock"] == 3 and later["on_hold"] >= 2 and later["expiring"] >= 4
    assert later["visit"] > 0 and later["sae_report"] == 1
    today = expected[date.today()]
    assert today["visit"] == 0 and today["sae_report"] == 0  # nothing is overdue yet


def test_r_qc_2_qa_dashboard_links_each_lot_awaiting_certification(
    served: tuple[Settings, TestClient],
) -> None:
    _, client = served
    answer = client.get("/api/v1/worklists", headers=as_role(client, "qa")).json()
    assert [found["kind"] for found in answer["lists"]] == list(ROLE_LISTS["qa"])
    waiting = next(found for found in answer["lists"] if found["kind"] == "certification")
    assert waiting["rule"] == "R-QC-2" and waiting["count"] == 2
    entry = waiting["entries"][0]
    assert entry["href"] == f"/trace?code={entry['code']}"
    assert client.get(entry["href"], follow_redirects=False).headers["location"] == (
        f"/trace/{entry['code']}"
    )
    missing = client.get("/api/v1/worklists", headers=as_role(client, "qc_analyst")).json()
    qc = next(found for found in missing["lists"] if found["kind"] == "qc_results")
    assert qc["entries"][0]["note"] == "missing results: endotoxin"


def test_r_acc_1_clinical_lists_only_for_clinical_readers(
    served: tuple[Settings, TestClient],
) -> None:
    _, client = served
    for role, lists in ROLE_LISTS.items():
        answer = client.get("/api/v1/worklists", headers=as_role(client, role))
        assert answer.status_code == 200, (role, answer.text)
        kinds = [found["kind"] for found in answer.json()["lists"]]
        if role in {"operator", "qc_analyst", "qp", "unblinded", "administrator"}:
            assert not {"visit", "sae_report", "sae_follow_up", "halt_report"} & set(kinds)
        assert set(kinds) <= set(lists)
    assert client.get("/api/v1/worklists").status_code == 401


def test_a_list_as_csv_streams_every_entry(served: tuple[Settings, TestClient]) -> None:
    _, client = served
    headers = as_role(client, "qa")
    answer = client.get("/api/v1/worklists/expiring.csv", params={"days": DAYS}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    board = client.get(
        "/api/v1/worklists", params={"days": DAYS, "limit": 500}, headers=headers
    ).json()
    expiring = next(found for found in board["lists"] if found["kind"] == "expiring")
    assert [r["code"] for r in rows] == [e["code"] for e in expiring["entries"]]
    assert len(rows) == expiring["count"] > 0
    refused = client.get("/api/v1/worklists/visit.csv", headers=headers)
    assert refused.status_code == 404 and "qa" not in refused.json()["detail"].split()[0]


def test_bad_dashboard_input_is_refused(served: tuple[Settings, TestClient]) -> None:
    _, client = served
    headers = as_role(client, "qa")
    assert client.get("/api/v1/worklists", params={"days": -1}, headers=headers).status_code == 422
    assert client.get("/api/v1/worklists", params={"limit": 0}, headers=headers).status_code == 422
    unknown = client.get("/api/v1/worklists/nothing.csv", headers=headers)
    assert unknown.status_code == 404
    assert "certification" in unknown.json()["detail"]


def test_the_worklist_survives_a_rebuild(served: tuple[Settings, TestClient]) -> None:
    """The lists are a read model: rebuilt from the ledger, they come back the same."""
    settings, _ = served
    engine = create_db_engine(settings)
    with engine.connect() as conn:
        before = {k: worklist(conn, k, LATER, DAYS, 500) for k in KINDS}

    ItemsView(engine).drop()
    bring_up_to_date(settings)
    with engine.connect() as conn:
        after = {k: worklist(conn, k, LATER, DAYS, 500) for k in KINDS}
    assert after == before
    engine.dispose()
