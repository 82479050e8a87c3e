"""A read model whose rules changed (its version raised) is rebuilt by the process that keeps it
and refused by one that only reads it, like a table of an earlier release (docs/operations.md
"Upgrading: read models of an earlier release")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ledger.config import Settings
from ledger.errors import NotReady
from ledger.projections.items import ItemsView
from ledger.projections.tracking import read_model_versions, tracking_table, view_engine


def _stored(view: ItemsView) -> int | None:
    with view.engine.connect() as conn:
        return conn.execute(
            select(read_model_versions.c.version).where(read_model_versions.c.view == view.name)
        ).scalar()


def test_a_new_version_of_the_rules_rebuilds_the_rows(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_settings.data_dir.mkdir(parents=True)
    engine = view_engine(sqlite_settings)
    view = ItemsView(engine)
    view.create_tables()
    assert _stored(view) == ItemsView.version
    with engine.begin() as conn:  # the view has processed events
        conn.execute(
            tracking_table.insert().values(
                view=view.name, application_name="CellTrace", notification_id=7
            )
        )
    assert view.outdated() == []
    monkeypatch.setattr(ItemsView, "version", ItemsView.version + 1)
    assert view.outdated() == [f"rows of version {ItemsView.version} (its rows are of version 1)"]
    with pytest.raises(NotReady, match="rows of version 2"):
        view.create_tables(rebuild=False)
    view.create_tables(rebuild=True)
    assert view.max_tracking_id("CellTrace") is None  # processed again from the first event
    assert _stored(view) == 2
    assert view.outdated() == []
    engine.dispose()
