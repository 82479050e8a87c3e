"""Item lists from the items read model (R-TRC-2): every filter and sort, in both directions,
paged by key, equals a plain Python filter and sort of every row, on SQLite and PostgreSQL; a
page continues exactly after the last key of the one before even while rows are added; on
SQLite each single-range list is read in index order (no sort of the whole table)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text

from ledger.config import Settings
from ledger.projections.item_list import (
    ItemFilter,
    ItemRow,
    Sort,
    iter_items,
    list_items,
    page_query,
)
from ledger.projections.items import ItemsView, items_table
from ledger.storage.db import create_db_engine
from tests.conftest import new_pg_database, pg_url

TYPES = ("BVL", "PVL", "LOT", "SHP", "PAT", "DON")
STATUSES = ("in storage", "released for use", "on hold", "administered", "certified", "filled")
RULES = ("R-QC-2", "R-QC-21", "R-SHP-2", "R-DON-7")
LOTS = ("LOT-A", "LOT-B", "L_1%", None)
SITES = ("SIT-A", "SIT-B", None)
START = datetime(2026, 3, 1, tzinfo=UTC)


def _rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Items with many equal sort keys (ties broken by code), missing expiries and holds."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        kind = rng.choice(TYPES)
        rules = rng.sample(RULES, rng.choice([0, 0, 0, 1, 2]))
        holds = [{"reason": f"held {r}", "rule": r, "source": "X"} for r in rules]
        rows.append(
            {
                "code": f"{kind}-F01-26-{rng.randrange(10**6):06d}-{i % 10}",
                "item_type": kind,
                "originator_id": f"00000000-0000-0000-0000-{i:012d}",
                "status": rng.choice(STATUSES),
                "holds": json.dumps(holds, sort_keys=True),
                "held": bool(holds),
                "location": rng.choice(["Freezer F2/rack 3", "SIT-A: 50% shelf", "ward", None]),
                "lot": rng.choice(LOTS),
                "expiry": rng.choice([None, "2027-01-31", "2027-06-30", "2026-12-01"]),
                "created_at": (START + timedelta(hours=rng.randrange(96))).isoformat(),
                "created_notification_id": i + 1,
                "site": rng.choice(SITES),
                "study": rng.choice(["STU-1", None]),
                "patient": rng.choice(["PAT-9", None, None]),
            }
        )
    return list({r["code"]: r for r in rows}.values())


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    data = tmp_path_factory.mktemp("item-list")
    if request.param == "sqlite":
        yield from _filled(Settings(data_dir=data, database_url=f"sqlite:///{data / 'l.db'}"))
        return
    with new_pg_database(request.getfixturevalue("pg_admin")) as db:
        yield from _filled(Settings(data_dir=data, database_url=pg_url(db)))


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The same rows on SQLite only, for its query plans (PostgreSQL's are the benchmark's)."""
    data = tmp_path_factory.mktemp("item-plans")
    yield from _filled(Settings(data_dir=data, database_url=f"sqlite:///{data / 'l.db'}"))


def _filled(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings)
    ItemsView(engine).create_tables()
    with engine.begin() as conn:
        conn.execute(insert(items_table), _rows(400))
    yield engine
    engine.dispose()


def _all(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(items_table)).mappings()]


def _expected(
    rows: list[dict[str, Any]], where: ItemFilter, sort: Sort, descending: bool
) -> list[str]:
    """The list as a plain Python filter and sort would make it."""

    def kept(r: dict[str, Any]) -> bool:
        rules = {h["rule"] for h in json.loads(r["holds"])}
        q = where.q
        return (
            (not where.types or r["item_type"] in where.types)
            and (not where.statuses or r["status"] in where.statuses)
            and (where.lot is None or r["lot"] == where.lot)
            and (where.site is None or r["site"] == where.site)
            and (
                where.location is None or where.location.lower() in (r["location"] or "\0").lower()
            )
            and (where.held is None or bool(rules) == where.held)
            and (where.hold_rule is None or where.hold_rule in rules)
            and (where.created_from is None or r["created_at"][:10] >= str(where.created_from))
            and (where.created_to is None or r["created_at"][:10] <= str(where.created_to))
            and (
                q is None
                or r["code"].startswith(q.upper())
                or bool({q, q.upper()} & {r["lot"], r["study"], r["patient"]})
            )
        )

    keys: dict[Sort, Callable[[dict[str, Any]], tuple[str, ...]]] = {
        Sort.CODE: lambda r: (r["code"],),
        Sort.TYPE: lambda r: (r["item_type"], r["code"]),
        Sort.CREATED: lambda r: (r["created_at"], r["code"]),
        Sort.EXPIRY: lambda r: (r["expiry"] or "9999-12-31", r["code"]),
        Sort.STATUS: lambda r: (r["status"], r["code"]),
    }
    found = sorted(filter(kept, rows), key=keys[sort], reverse=descending)
    return [r["code"] for r in found]


def _paged(
    engine: Engine, where: ItemFilter, sort: Sort, descending: bool, limit: int
) -> list[str]:
    """Every page of the list, each continuing after the key of the one before."""
    codes: list[str] = []
    after: tuple[str, ...] | None = None
    while True:
        page = list_items(engine, where, sort, descending, limit, after)
        assert len(page.rows) <= limit
        codes += [row.code for row in page.rows]
        if page.next_key is None:
            return codes
        assert len(page.rows) == limit
        after = page.next_key


FILTERS = [
    ItemFilter(),
    ItemFilter(types=("PVL",)),
    ItemFilter(types=("PVL", "LOT")),
    ItemFilter(statuses=("on hold",)),
    ItemFilter(types=("BVL", "SHP"), statuses=("in storage", "on hold")),
    ItemFilter(lot="LOT-A"),
    ItemFilter(lot="L_1%"),
    ItemFilter(site="SIT-B"),
    ItemFilter(location="50%"),
    ItemFilter(location="FREEZER"),
    ItemFilter(held=True),
    ItemFilter(held=False),
    ItemFilter(hold_rule="R-QC-2"),
    ItemFilter(created_from=date(2026, 3, 2), created_to=date(2026, 3, 3)),
    ItemFilter(created_to=date(2026, 3, 1)),
    ItemFilter(q="pvl-f01-26-0"),
    ItemFilter(q="LOT-A"),
    ItemFilter(q="STU-1"),
    ItemFilter(q="PAT-9"),
    ItemFilter(types=("PVL",), held=True, site="SIT-A", q="PAT-9"),
]


@pytest.mark.parametrize("where", FILTERS, ids=lambda f: json.dumps(f.as_json())[:60])
def test_r_trc_2_every_filter_and_sort_pages_to_the_plain_filter_of_all_rows(
    engine: Engine, where: ItemFilter
) -> None:
    rows = _all(engine)
    for sort in Sort:
        for descending in (False, True):
            # When the list is read 7 rows a page, each page after the last key of the one before
            got = _paged(engine, where, sort, descending, 7)
            # Then the pages are exactly the rows a plain filter and sort gives: none twice,
            # none left out, in order
            assert got == _expected(rows, where, sort, descending), (sort, descending)
    assert _expected(rows, where, Sort.CODE, False) or where.q or where.site, "a filter matches"


def test_r_trc_2_a_hold_rule_matches_that_rule_only(engine: Engine) -> None:
    # Given items held under R-QC-2 and others under R-QC-21
    rows = _all(engine)
    held = {r["code"] for r in rows if "R-QC-2" in {h["rule"] for h in json.loads(r["holds"])}}
    longer = {r["code"] for r in rows if '"R-QC-21"' in r["holds"]}
    assert held and longer - held
    # When the list asks for R-QC-2 / Then it has exactly those held under it
    assert set(_paged(engine, ItemFilter(hold_rule="R-QC-2"), Sort.CODE, False, 500)) == held


def test_r_trc_2_rows_added_between_pages_never_repeat_or_hide_a_row(
    tmp_path: Path,
) -> None:
    # Given a list being read page by page
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'l.db'}")
    engine = create_db_engine(settings)
    ItemsView(engine).create_tables()
    first = _rows(120, seed=1)
    with engine.begin() as conn:
        conn.execute(insert(items_table), first)
    before = {r["code"] for r in first}
    for sort in (Sort.CODE, Sort.CREATED, Sort.EXPIRY):
        seen: list[str] = []
        after: tuple[str, ...] | None = None
        added = 0
        while True:
            page = list_items(engine, ItemFilter(), sort, True, 10, after)
            seen += [row.code for row in page.rows]
            if page.next_key is None:
                break
            after = page.next_key
            # When rows are recorded between two pages, before and after where the list is
            more = [replace_code(r, f"-{sort}-{added}") for r in _rows(6, seed=100 + added)]
            added += 1
            with engine.begin() as conn:
                conn.execute(insert(items_table), more)
        # Then no row is shown twice and every row that was there from the start is shown
        assert len(seen) == len(set(seen)), sort
        assert before <= set(seen), sort
    engine.dispose()


def replace_code(row: dict[str, Any], suffix: str) -> dict[str, Any]:
    """A row with a new code and id (a new item)."""
    code = row["code"] + suffix
    return {**row, "code": code, "originator_id": code[-36:].rjust(36, "0")}


def test_r_trc_2_an_export_reads_the_whole_list_in_chunks(engine: Engine) -> None:
    rows = _all(engine)
    where = ItemFilter(types=("BVL", "PVL"))
    # When the list is read 9 rows at a time for an export
    got = [row.code for row in iter_items(engine, where, Sort.EXPIRY, False, chunk=9)]
    # Then it is the whole list, in order
    assert got == _expected(rows, where, Sort.EXPIRY, False)
    assert all(isinstance(row, ItemRow) for row in iter_items(engine, where, chunk=500))


def _plan(engine: Engine, where: ItemFilter, sort: Sort, descending: bool) -> str:
    query = page_query(where, sort, descending, 51, None)
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        return " | ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def test_r_trc_2_each_sort_with_a_type_a_status_or_neither_reads_one_index_in_order(
    sqlite_engine: Engine,
) -> None:
    engine = sqlite_engine
    dated = ItemFilter(types=("PVL",), created_from=date(2026, 3, 2))
    for where, sorts in (
        (ItemFilter(), list(Sort)),
        (ItemFilter(types=("PVL",)), list(Sort)),
        (ItemFilter(statuses=("on hold",)), list(Sort)),
        (ItemFilter(types=("PVL",), statuses=("on hold",)), list(Sort)),
        (ItemFilter(held=True, types=("PVL",)), list(Sort)),
        (dated, [Sort.CREATED]),  # a date range is a range of the date's index
    ):
        for sort in sorts:
            for descending in (False, True):
                plan = _plan(engine, where, sort, descending)
                # Then the rows come in the list's order from an index: nothing is sorted
                assert "TEMP B-TREE" not in plan, (where, sort, plan)
                assert "USING" in plan and "INDEX" in plan, (where, sort, plan)


def test_r_trc_2_a_list_of_several_types_merges_one_ordered_range_per_type(
    sqlite_engine: Engine,
) -> None:
    plan = _plan(sqlite_engine, ItemFilter(types=("PVL", "LOT")), Sort.CREATED, True)
    # Then each type is read from its own range of the type-and-date index, already in order;
    # only the page-long pieces are merged
    assert plan.count("items_by_type_created") == 2, plan
    assert "SCAN items" not in plan.replace("SCAN items USING", ""), plan


def test_r_trc_2_the_search_matches_a_code_prefix_in_any_case_or_a_whole_lot(
    engine: Engine,
) -> None:
    rows = _all(engine)
    some = rows[0]["code"][:9]
    got = set(_paged(engine, ItemFilter(q=some.lower()), Sort.CODE, False, 50))
    assert got == {r["code"] for r in rows if r["code"].startswith(some)}
    # a lot is matched whole, not by its beginning
    assert _paged(engine, ItemFilter(q="LOT-"), Sort.CODE, False, 500) == sorted(
        r["code"] for r in rows if r["code"].startswith("LOT-")
    )


def test_a_key_of_another_sort_is_refused() -> None:
    with pytest.raises(ValueError, match="2 parts"):
        page_query(ItemFilter(), Sort.CREATED, False, 5, ("PVL-1",))


def test_the_filter_fingerprint_names_every_value() -> None:
    where = ItemFilter(types=("PVL",), created_from=date(2026, 3, 1), held=True)
    assert where.as_json()["types"] == ["PVL"]
    assert where.as_json()["created_from"] == "2026-03-01"
    assert replace(where, held=False).as_json() != where.as_json()
