"""R-TRC-2, R-TRC-3: the items view keeps item codes, status and holds in memory between its
transactions (written through, bounded); what it shows never comes from a memory that a failed
transaction, or another process's writes, made untrue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.persistence import Tracking
from sqlalchemy import Engine

from ledger.config import Settings
from ledger.projections.items import ItemsView
from ledger.projections.tracking import view_engine

APP = "CellTrace"


@pytest.fixture
def engine(sqlite_settings: Settings) -> Iterator[Engine]:
    engine = view_engine(sqlite_settings)
    ItemsView(engine).create_tables()
    yield engine
    engine.dispose()


def item(code: str, position: int) -> dict[str, Any]:
    return {
        "code": code,
        "item_type": code.split("-", 1)[0],
        "originator_id": f"id-{code}",
        "status": "active",
        "holds": "[]",
        "location": None,
        "lot": None,
        "expiry": None,
        "site": None,
        "study": None,
        "patient": None,
        "held": False,
        "created_at": "2026-01-01T00:00:00+00:00",
        "created_notification_id": position,
    }


def shown(view: ItemsView, code: str, position: int) -> tuple[str, str]:
    with view.transaction(Tracking(APP, position)):
        return view.item_state(code)


def test_r_trc_3_a_failed_transaction_leaves_nothing_in_memory(engine: Engine) -> None:
    # Given an item the view registered
    view = ItemsView(engine)
    with view.transaction(Tracking(APP, 1)):
        view.add_item("id-BVL-1", item("BVL-1", 1))
    # When a transaction that put it on hold fails, so that nothing of it is written
    with pytest.raises(RuntimeError), view.transaction(Tracking(APP, 2)):
        view.update_item("BVL-1", {"status": "on hold", "holds": '[{"rule": "R-DON-7"}]'})
        raise RuntimeError("the batch failed")
    # Then the view shows the item as the database has it
    assert shown(view, "BVL-1", 2) == ("active", "[]")


def test_r_trc_3_writes_of_another_process_are_not_hidden_by_memory(engine: Engine) -> None:
    # Given a view that registered an item (and keeps its status in memory)
    mine, theirs = ItemsView(engine), ItemsView(engine)
    with mine.transaction(Tracking(APP, 1)):
        mine.add_item("id-BVL-1", item("BVL-1", 1))
    # When another process's view records the next event, which disposes of it
    with theirs.transaction(Tracking(APP, 2)):
        theirs.update_item("BVL-1", {"status": "disposed"})
    # Then the first view, processing the event after it, sees the item disposed
    assert shown(mine, "BVL-1", 3) == ("disposed", "[]")


class SmallView(ItemsView):
    CACHED = 2


def test_r_trc_2_item_codes_beyond_what_memory_keeps_are_read_back(engine: Engine) -> None:
    # Given a view that keeps two items in memory, and five items registered
    view = SmallView(engine)
    codes = [f"BVL-{n}" for n in range(5)]
    with view.transaction(Tracking(APP, 1)):
        for code in codes:
            view.add_item(f"id-{code}", item(code, 1))
    # When each item's next event asks for its code and status
    with view.transaction(Tracking(APP, 2)):
        found = [view.code_of(f"id-{code}") for code in codes]
        states = [view.item_state(code) for code in codes]
        view.not_an_item("id-not-an-item")
        assert view.code_of("id-not-an-item") is None
    # Then every one is found, and memory never holds more than two of each
    assert found == codes
    assert states == [("active", "[]")] * 5
    assert len(view._codes) <= 2 and len(view._shown) <= 2
