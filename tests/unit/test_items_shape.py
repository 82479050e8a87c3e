"""An items read model made by an earlier release (without the columns and indexes item lists
need) is never queried as it is: a process that maintains the read models rebuilds it from the
ledger's events; one that only reads them, and `verify --read-models`, refuse it with what to
run instead, and change nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Engine, MetaData, String, Table, Text, insert, inspect, select

from ledger.application import CellTraceLedger
from ledger.bootstrap import bring_up_to_date, init_ledger
from ledger.config import Settings
from ledger.errors import NotReady
from ledger.projections.items import ItemsView, items_table
from ledger.read_model_audit import audit_read_models
from ledger.storage.db import create_db_engine
from tests.domain1 import staffed_ledger

# The items table as the release before item lists made it.
OLD_COLUMNS = (
    "code",
    "item_type",
    "originator_id",
    "status",
    "holds",
    "location",
    "lot",
    "expiry",
    "created_at",
    "created_notification_id",
)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A staffed ledger whose items read model has the earlier release's shape."""
    init_ledger(settings)
    with staffed_ledger(settings):
        pass
    bring_up_to_date(settings)
    engine = create_db_engine(settings)
    with engine.begin() as conn:
        query = select(*(items_table.c[c] for c in OLD_COLUMNS))
        rows = [dict(r) for r in conn.execute(query).mappings()]
        items_table.drop(conn)
        old = Table(
            "items",
            MetaData(),
            *(Column(c, Text if c == "holds" else String(60)) for c in OLD_COLUMNS),
        )
        old.create(conn)
        conn.execute(insert(old), rows)
    assert rows
    yield engine
    engine.dispose()


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("items")}


def test_an_earlier_items_table_is_rebuilt_from_the_ledger_by_the_read_models(
    settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # Given an items table without site, study, patient and held
    view = ItemsView(engine)
    assert {"site", "study", "patient", "held"}.isdisjoint(_columns(engine))
    assert view.outdated()[:4] == ["site", "study", "patient", "held"]
    with engine.connect() as conn:
        before = sorted(conn.execute(select(items_table.c.code)).scalars())
    # When the read models are brought up to date (as serve, worker and one-off commands do)
    with caplog.at_level(logging.WARNING):
        bring_up_to_date(settings)
    # Then the table has this release's shape, and the same items again, from the events
    assert view.outdated() == []
    assert "rebuilding it from the ledger's first event" in caplog.text
    with engine.connect() as conn:
        after = conn.execute(select(items_table.c.code, items_table.c.held)).all()
    assert sorted(code for code, _ in after) == before
    assert not any(held for _, held in after)
    assert ItemsView(engine).max_tracking_id(CellTraceLedger.name)


def test_a_reader_refuses_an_earlier_items_table_and_changes_nothing(engine: Engine) -> None:
    # When a process that only reads the read models (the API beside a worker) starts
    with pytest.raises(NotReady) as refused:
        ItemsView(engine).create_tables(rebuild=False)
    # Then it says what the table lacks and how to rebuild it, and the table is as it was
    detail = refused.value.detail
    assert "earlier release" in detail and "site, study, patient, held" in detail
    assert "run `celltrace init`" in detail and "Nothing was changed" in detail
    assert _columns(engine) == set(OLD_COLUMNS)


def test_the_read_model_check_refuses_an_earlier_items_table(
    settings: Settings, engine: Engine
) -> None:
    # When an inspector compares the stored read models with the events
    with pytest.raises(NotReady, match="run `celltrace init`"):
        audit_read_models(settings)
    # Then nothing was compared or changed: the rebuild is the owner's decision
    assert _columns(engine) == set(OLD_COLUMNS)
