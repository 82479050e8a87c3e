"""Where `celltrace demo` may record: an empty ledger, or (with `--fresh`) an earlier demo's.

The demo records a complete history with fixed references (specifications, materials, studies),
so a second run on the same ledger would be refused part-way. It is refused before anything
is written instead, and `--fresh` replaces a ledger that a demo made — never any other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ledger.config import Settings
from ledger.errors import InvalidInput
from ledger.integrity.verify import LedgerReader

# Written into the data directory by the demo; `--fresh` removes only folders that have it.
MARKER = "DEMO-LEDGER.txt"
MARKER_TEXT = (
    "This data directory was created by `celltrace demo`: a made-up history for trying\n"
    "CellTrace. `celltrace demo --fresh` replaces it. Do not record real work here.\n"
)


def recorded_events(settings: Settings) -> int:
    """Events in the configured ledger (0 when it does not exist yet)."""
    db = settings.database
    if db.backend == "sqlite" and (db.sqlite_path is None or not db.sqlite_path.exists()):
        return 0
    reader = LedgerReader(db)
    return reader.count() if reader.has_table("stored_events") else 0


def prepare_demo_ledger(settings: Settings, *, fresh: bool) -> None:
    """Make sure the demo starts on an empty ledger, or refuse before writing anything."""
    events = recorded_events(settings)
    if events == 0:
        _mark(settings)
        return
    where = settings.data_dir
    if not fresh:
        raise InvalidInput(
            f"the ledger in {where} already holds {events} events, and the demo records a "
            "complete history of its own; run `celltrace demo --fresh` to replace an earlier "
            "demo, or set CELLTRACE_DATA_DIR to an empty folder"
        )
    if settings.database.backend != "sqlite":
        raise InvalidInput(
            f"--fresh never drops a PostgreSQL database ({events} events are recorded in it); "
            "run the demo on a new, empty database instead"
        )
    path = settings.database.sqlite_path
    if not (where / MARKER).exists() or path is None or not _inside(path, where):
        raise InvalidInput(
            f"{where} holds a ledger of {events} events that the demo did not create "
            f"(no {MARKER}), so --fresh leaves it alone; set CELLTRACE_DATA_DIR to an empty "
            "folder to run the demo"
        )
    shutil.rmtree(where)
    _mark(settings)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _mark(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / MARKER).write_text(MARKER_TEXT, "utf-8")
