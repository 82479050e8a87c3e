"""Lists of items over HTTP (R-TRC-2): `GET /api/v1/items` with every filter and sort, page by
page, equals a plain Python filter of every item of the read model; rows recorded between two
pages never repeat or hide a row; the CSV file is the same list; bad filters answer 422 naming
the parameter and nothing is written; anonymous callers are refused (R-ACC-1) and each list
read is recorded (R-ACC-2); a blinded study's lots and kits of both arms look alike (R-ACC-5).

One clinic (tests/domain3.py) is served for the whole module, with a blinded study recorded
through the API, a major deviation holding a vial, and a material lot received two days later.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.projections.items import items_table
from ledger.stores.access_log import access_log_table
from tests.domain2 import PLANT_MATERIALS
from tests.domain3 import Clinic, Clock
from tests.e2e.conftest import ClinicApi
from tests.e2e.test_api_sealed_blinding import blinded_study_over_http, post_ok

FORMULA = '=HYPERLINK("http://evil.example/x","open")'
CODE = re.compile(r"[A-Z]{3}-[A-Z0-9]{3}-\d{2}-\d{6}-[0-9A-Z*]")


@dataclass
class Listing:
    api: ClinicApi
    blinded: dict[str, Any]
    held: str  # a vial held by a major deviation
    late_lot: str  # a material lot received two days after the rest
    late_day: str


@pytest.fixture(scope="module")
def listing(
    api_clinic_template: Clinic, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Listing]:
    data = tmp_path_factory.mktemp("item-lists") / "data"
    shutil.copytree(api_clinic_template.plant.settings.data_dir, data)
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    clock = Clock()
    with TestClient(create_app(settings, clock=clock)) as client:
        api = ClinicApi(client, api_clinic_template, clock)
        api.sign_in()
        blinded = blinded_study_over_http(api)
        held = api.clinic.vials[0]
        deviation = {
            "kind": "unplanned",
            "severity": "major",
            "items": [held],
            "description": "vial found outside the freezer for 20 min",
        }
        post_ok(api, "pharmacist", "/deviations", deviation)
        late = clock.advance(days=2)
        api.sign_in()  # tokens are younger than the moved clock
        lot = {
            "material_reference": PLANT_MATERIALS[1],
            "supplier": "Acme Bio",
            "supplier_lot": FORMULA,
            "expiry": str((late + timedelta(days=300)).date()),
            "coa_ref": "COA-77",
        }
        late_lot = post_ok(api, "operator", "/materials/lots", lot)["code"]
        yield Listing(api, blinded, held, late_lot, str(late.date()))


def _rows(listing: Listing) -> list[dict[str, Any]]:
    """Every item of the read model, read without the list's query code."""
    ctx = listing.api.client.app.state.ctx  # type: ignore[attr-defined]
    listing.api.get("qa", "/items", after=listing.api.last_id())  # the read models caught up
    with ctx.views_engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(items_table)).mappings()]


def _pages(listing: Listing, role: str = "qa", **params: Any) -> list[dict[str, Any]]:
    """Every page of the list, `limit` rows at a time, each after the `next` of the one
    before; checks that only the last page is short."""
    found: list[dict[str, Any]] = []
    after = str(listing.api.last_id())  # the first page once the read models include every write
    while True:
        asked = {**params, "after": after}
        answer = listing.api.get(role, "/items", **asked)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found += body["items"]
        after = body["next"]
        if after is None:
            return found
        assert len(body["items"]) == body["limit"]


def _holds(row: dict[str, Any]) -> set[str]:
    return {h["rule"] for h in json.loads(row["holds"])}


SORTS = {
    "code": lambda r: (r["code"],),
    "type": lambda r: (r["item_type"], r["code"]),
    "created": lambda r: (r["created_at"], r["code"]),
    "expiry": lambda r: (r["expiry"] or "9999-12-31", r["code"]),
    "status": lambda r: (r["status"], r["code"]),
}


def _codes(
    rows: list[dict[str, Any]], keep: Any, sort: str = "code", desc: bool = False
) -> list[str]:
    return [r["code"] for r in sorted(filter(keep, rows), key=SORTS[sort], reverse=desc)]


def test_r_trc_2_each_filter_lists_exactly_the_items_a_plain_filter_keeps(
    listing: Listing,
) -> None:
    rows = _rows(listing)
    c, blinded = listing.api.clinic, listing.blinded
    patient, kit = next((p, k) for k, p in blinded["given"].items())
    cases: list[tuple[dict[str, Any], Any]] = [
        ({"type": "PVL"}, lambda r: r["item_type"] == "PVL"),
        ({"type": ["LOT", "shp"]}, lambda r: r["item_type"] in ("LOT", "SHP")),
        ({"type": "LOT,SHP"}, lambda r: r["item_type"] in ("LOT", "SHP")),
        ({"status": ["certified", "on hold"]}, lambda r: r["status"] in ("certified", "on hold")),
        ({"lot": c.lot}, lambda r: r["lot"] == c.lot),
        ({"site": c.site}, lambda r: r["site"] == c.site),
        ({"location": "sit-F01"}, lambda r: "sit-f01" in (r["location"] or "").lower()),
        ({"holds": "true"}, lambda r: bool(_holds(r))),
        ({"holds": "false"}, lambda r: not _holds(r)),
        ({"holds": "r-qms-2"}, lambda r: "R-QMS-2" in _holds(r)),
        ({"created_from": listing.late_day}, lambda r: r["created_at"] >= listing.late_day),
        ({"created_to": listing.late_day}, lambda r: True),
        ({"q": "pvl-"}, lambda r: r["code"].startswith("PVL-")),
        ({"q": c.lot}, lambda r: c.lot in (r["code"], r["lot"])),
        ({"q": blinded["study"]}, lambda r: blinded["study"] in (r["code"], r["study"])),
        ({"q": patient}, lambda r: patient in (r["code"], r["patient"])),
        (
            {"type": "PVL", "site": c.site, "holds": "false", "status": "released for use"},
            lambda r: (
                (r["item_type"], r["site"], r["status"]) == ("PVL", c.site, "released for use")
                and not _holds(r)
            ),
        ),
    ]
    for params, keep in cases:
        # When the list is asked for, 2 items a page
        listed = [row["code"] for row in _pages(listing, **params, limit=2)]
        # Then it is what a plain filter of every item keeps, in code order, each once
        assert listed == _codes(rows, keep), params
        assert listed or params.get("status"), params
    # And the patient's own list names the kit given to them (from the dispensing event)
    assert kit in [row["code"] for row in _pages(listing, q=patient)]


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_r_trc_2_each_sort_in_both_directions_pages_without_repeating_or_skipping(
    listing: Listing, sort: str
) -> None:
    rows = _rows(listing)
    for order in ("asc", "desc"):
        for params, keep in (
            ({}, lambda r: True),
            ({"type": "PVL"}, lambda r: r["item_type"] == "PVL"),
        ):
            listed = _pages(listing, sort=sort, order=order, limit=7, **params)
            codes = [row["code"] for row in listed]
            assert len(codes) == len(set(codes))
            assert codes == _codes(rows, keep, sort, order == "desc"), (sort, order, params)


def test_r_trc_2_items_recorded_between_two_pages_never_repeat_or_hide_an_item(
    listing: Listing,
) -> None:
    # Given a list read page by page, newest first
    before = {r["code"] for r in _rows(listing)}
    seen: list[str] = []
    after = None
    added: list[str] = []
    while True:
        body = listing.api.get(
            "qa",
            "/items",
            sort="created",
            order="desc",
            limit=9,
            **({"after": after} if after else {}),
        ).json()
        seen += [row["code"] for row in body["items"]]
        after = body["next"]
        if after is None:
            break
        # When an item is recorded between two pages (it sorts before the page read)
        lot = {
            "material_reference": PLANT_MATERIALS[2],
            "supplier": "Acme Bio",
            "supplier_lot": f"L-{len(added)}",
            "expiry": "2030-01-31",
            "coa_ref": "COA-78",
        }
        added.append(post_ok(listing.api, "operator", "/materials/lots", lot)["code"])
    # Then no item is shown twice and every item there from the start is shown
    assert len(seen) == len(set(seen))
    assert before <= set(seen)
    assert len(added) > 3 and not set(added) & set(seen)  # recorded after their place


def test_r_trc_2_the_csv_file_is_the_list_the_pages_give(listing: Listing) -> None:
    for params in ({}, {"type": "PVL", "sort": "expiry", "order": "desc"}, {"holds": "true"}):
        pages = _pages(listing, limit=50, **params)
        # When the same list is downloaded as CSV
        answer = listing.api.get("auditor", "/items.csv", **params, after=listing.api.last_id())
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"
        assert answer.headers["content-disposition"] == 'attachment; filename="items.csv"'
        table = list(csv.DictReader(io.StringIO(answer.text, newline="")))
        # Then it has a header naming the columns and one row per item, with the same values
        assert list(table[0]) == [
            "code",
            "item_type",
            "status",
            "holds",
            "location",
            "lot",
            "expiry",
            "created_at",
            "site",
            "study",
            "patient",
        ]
        assert [row["code"] for row in table] == [row["code"] for row in pages], params
        for line, row in zip(table, pages, strict=True):
            for name in ("item_type", "status", "location", "lot", "expiry", "created_at"):
                expected = row[name] or ""
                guarded = "'" + expected if expected.startswith(("=", "+", "-", "@")) else expected
                assert line[name] == guarded, (name, row["code"])
            for name in ("site", "study", "patient"):
                assert line[name] == (row[name] or "")
            assert line["holds"] == "; ".join(f"{h['rule']}: {h['reason']}" for h in row["holds"])
    # And Accept: text/csv on the list answers the same file
    by_accept = listing.api.client.get(
        "/api/v1/items",
        params={"type": "PVL"},
        headers={**listing.api.headers("qa"), "Accept": "text/csv"},
    )
    assert by_accept.text == listing.api.get("qa", "/items.csv", type="PVL").text


def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(listing: Listing) -> None:
    # Given a material lot whose supplier's lot number is a formula
    (row,) = _pages(listing, q=listing.late_lot)
    assert row["lot"] == FORMULA  # the API answers it as recorded
    # When the list is downloaded / Then the CSV cell starts with a quote (OWASP CSV Injection)
    text = listing.api.get("qa", "/items.csv", q=listing.late_lot).text
    (line,) = list(csv.DictReader(io.StringIO(text, newline="")))
    assert line["lot"] == "'" + FORMULA


def _written(listing: Listing) -> tuple[int, int]:
    """The ledger's last event and the access log's length."""
    ctx = listing.api.client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.credentials.engine.connect() as conn:
        logged = conn.execute(select(func.count()).select_from(access_log_table)).scalar_one()
    return listing.api.last_id(), logged


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"type": "XYZ"}, "type XYZ is not an item type"),
        ({"status": "frozen"}, "status frozen is not a status"),
        ({"holds": "maybe"}, "holds 'maybe' is neither true, false nor a rule ID"),
        ({"limit": "0"}, "query.limit"),
        ({"limit": "501"}, "query.limit: Input should be less than or equal to 500"),
        ({"sort": "lot"}, "query.sort"),
        ({"order": "up"}, "query.order"),
        ({"created_from": "2026-02-30"}, "query.created_from"),
        (
            {"created_from": "2026-03-02", "created_to": "2026-03-01"},
            "created_from 2026-03-02 is after",
        ),
        ({"after": "not-a-cursor"}, "after 'not-a-cursor' is not the next of a page"),
        ({"site": "SIT-F01-26-000001-Y"}, "R-ID-1"),
        ({"lot": "LOT-F01-26-000001-6"}, "R-ID-1"),
        ({"q": "x" * 61}, "query.q"),
    ],
)
def test_a_bad_filter_answers_422_naming_it_and_nothing_is_written(
    listing: Listing, params: dict[str, str], says: str
) -> None:
    before = _written(listing)
    for path in ("/items", "/items.csv"):
        answer = listing.api.get("qa", path, **params)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["error"] == "invalid_input"
        assert says in answer.json()["detail"]
    assert _written(listing) == before


def test_a_cursor_of_another_list_is_refused(listing: Listing) -> None:
    first = listing.api.get("qa", "/items", type="PVL", limit=2).json()
    answer = listing.api.get("qa", "/items", type="LOT", limit=2, after=first["next"])
    assert answer.status_code == 422
    assert "after belongs to another list" in answer.json()["detail"]
    again = listing.api.get("qa", "/items", type="PVL", limit=2, after=first["next"])
    assert again.status_code == 200


def test_r_acc_1_an_anonymous_caller_gets_no_list(listing: Listing) -> None:
    client = listing.api.client
    for path in ("/api/v1/items", "/api/v1/items.csv", "/items/panel"):
        answer = client.get(path, params={"type": "PAT"})
        assert answer.status_code == 401, path
        assert "PAT-" not in answer.text
    # the page itself is a sign-in shell that reads nothing
    page = client.get("/items", params={"type": "PAT"})
    assert page.status_code == 200 and 'id="signin-form"' in page.text
    assert "PAT-F01" not in page.text


def test_r_acc_2_each_list_read_is_recorded_with_its_filters(listing: Listing) -> None:
    # When a nurse lists the patients, as JSON and as CSV
    for path in ("/items", "/items.csv"):
        assert listing.api.get("nurse", path, type="PAT").status_code == 200
    # Then the access log has a row for each: who, that a list of items was read, and how
    log = listing.api.get("auditor", "/access-log", subject="items").json()
    mine = [e for e in log["entries"] if e["person"] == listing.api.code("nurse")]
    assert [e["via"] for e in mine[-2:]] == [
        "GET /api/v1/items?type=PAT",
        "GET /api/v1/items.csv?type=PAT",
    ]
    assert {e["action"] for e in mine} == {"read:item"} and log["intact"]


def _masked(row: dict[str, Any]) -> dict[str, Any]:
    """A list row without what differs between two items of the same kind: codes, times."""
    return {
        k: CODE.sub("CODE", v) if isinstance(v, str) else v
        for k, v in row.items()
        if k not in ("created_at", "expiry")
    }


def test_r_acc_5_a_blinded_studys_lots_and_kits_of_both_arms_look_alike(listing: Listing) -> None:
    study = listing.blinded["study"]
    active, placebo = listing.blinded["lots"]
    rows = {row["code"]: row for row in _pages(listing, q=study)}
    # Then the active lot and the placebo lot are two product lots of the study, alike
    assert rows[active]["item_type"] == rows[placebo]["item_type"] == "LOT"
    assert rows[active]["type_label"] == rows[placebo]["type_label"] == "product lot"
    assert rows[active]["study"] == rows[placebo]["study"] == study
    assert _masked(rows[active]) == _masked(rows[placebo])
    # And the kits of both arms are the study's kits, alike, naming no lot but the study
    kits = [rows[kit] for kit in listing.blinded["kits"]]
    assert all(kit["lot"] == study and kit["study"] == study for kit in kits)
    assert _masked(kits[0]) == _masked(kits[1])
    text = listing.api.get("auditor", "/items.csv", q=study).text
    assert active not in text.split(active, 1)[1] and "placebo" not in text


def test_the_page_lists_with_the_token_and_links_its_next_page_and_csv(listing: Listing) -> None:
    client = listing.api.client
    panel = client.get(
        "/items/panel", params={"type": "PVL", "limit": "2"}, headers=listing.api.headers("qa")
    )
    assert panel.status_code == 200
    codes = re.findall(r'<tr data-code="([^"]+)"', panel.text)
    assert codes == [
        row["code"] for row in listing.api.get("qa", "/items", type="PVL", limit=2).json()["items"]
    ]
    assert f'href="/trace/{codes[0]}"' in panel.text
    (next_href,) = re.findall(r'id="next-page" href="([^"]+)"', panel.text)
    assert next_href.startswith("/items?type=PVL&amp;limit=2&amp;after=")
    assert 'href="/api/v1/items.csv?type=PVL"' in panel.text
    # in Chinese, with the labels of the catalogue
    chinese = client.get(
        "/items/panel", params={"type": "PVL", "lang": "zh"}, headers=listing.api.headers("qa")
    )
    assert "下载 CSV" in chinese.text and "制剂瓶" in chinese.text


def test_a_list_waits_for_the_write_it_is_given_as_after(listing: Listing) -> None:
    # Given a write's notification id / When the first page is asked for after it
    made = post_ok(
        listing.api,
        "operator",
        "/materials/lots",
        {
            "material_reference": PLANT_MATERIALS[3],
            "supplier": "Acme Bio",
            "supplier_lot": "L-RYW",
            "expiry": "2030-01-31",
            "coa_ref": "COA-79",
        },
    )
    body = listing.api.get("qa", "/items", q="L-RYW", after=made["notification_id"]).json()
    # Then it includes that write
    assert [row["code"] for row in body["items"]] == [made["code"]]
