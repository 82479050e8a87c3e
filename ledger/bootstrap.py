"""Wiring: create the database tables and signing keys, open the ledger application, and run
the read models that follow it.

This is the one wiring module at the top (STYLE.md "Layers"): it may see the application, the
projections and integrity, which do not see one another upwards; the entry points (CLI, API,
demo) call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from ledger.application import CellTraceLedger, Clock, utc_now
from ledger.config import Settings
from ledger.errors import InvalidInput
from ledger.storage.db import create_db_engine, describe_database
from ledger.stores import keys, personal_data

if TYPE_CHECKING:
    from ledger.integrity.checkpoints import StoredCheckpoint
    from ledger.projections.runner import Projections


@dataclass(frozen=True)
class InitResult:
    database: str
    log_key: Path
    label_key: Path
    created_keys: tuple[str, ...]
    recorded_keys: tuple[str, ...] = ()
    report_certificate: Path | None = None


def init_ledger(settings: Settings) -> InitResult:
    """Create tables and keys (the log's, the labels' and the report signing key with its
    certificate); safe to run again (idempotent).

    Refuses (InvalidInput, nothing written) to give an existing ledger a second log identity:
    when its database names log keys, or holds checkpoints, and the configured log key is
    missing or another key.
    """
    from ledger.integrity.log_identity import record_keys
    from ledger.integrity.log_keys import key_history
    from ledger.storage.schema import create_side_tables
    from ledger.stores.report_key import installation_identity

    if settings.database.backend == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings)
    try:
        check_log_identity(settings, engine)
        created = []
        for name, key in ((keys.LOG_KEY, settings.log_key), (keys.LABEL_KEY, settings.label_key)):
            if not key.exists():
                created.append(name)
            key.load_or_create()
        if installation_identity(settings).created:
            created.append(keys.REPORT_KEY)
        app = CellTraceLedger(settings, create_tables=True)
        app.close()
        create_side_tables(settings, engine)
        recorded = record_keys(engine, key_history(settings))
    finally:
        engine.dispose()
    key_store = personal_data.open_key_store(settings)
    try:
        personal_data.prepare_key_store(settings, key_store)
    finally:
        key_store.dispose()
    return InitResult(
        database=describe_database(settings),
        log_key=settings.log_key.path,
        label_key=settings.label_key.path,
        created_keys=tuple(created),
        recorded_keys=tuple(v.key_string() for v in recorded),
        report_certificate=settings.report_certificate,
    )


def check_log_identity(settings: Settings, engine: Engine) -> None:
    """Refuse a log key that would be a second identity of the ledger in `engine`'s database."""
    from ledger.integrity.log_identity import key_ids, recorded_keys
    from ledger.integrity.log_keys import log_signer

    identity = recorded_keys(engine)
    key = settings.log_key
    where = f"{describe_database(settings)} already"
    if not key.exists():
        if identity:
            raise InvalidInput(
                f"{where} has a log identity (log key {key_ids(identity)}) but there is no log "
                f"signing key at {key.path}; copy the ledger's log.key there, or set "
                "CELLTRACE_KEYS_DIR / CELLTRACE_LOG_KEY to where it is. Nothing was written: "
                "a new key would be a second identity and its checkpoints would not verify"
            )
        if _has_checkpoints(engine):
            raise InvalidInput(
                f"{where} holds signed checkpoints but there is no log signing key at "
                f"{key.path}; copy the ledger's keys there or set CELLTRACE_KEYS_DIR / "
                "CELLTRACE_LOG_KEY. Nothing was written"
            )
        return
    current = log_signer(settings).verifier()
    if identity and current not in identity:
        raise InvalidInput(
            f"the log signing key {key.path} ({key_ids([current])}) is not the log key of "
            f"this ledger: {where} names {key_ids(identity)}; copy the ledger's log.key there, "
            "or set CELLTRACE_KEYS_DIR / CELLTRACE_LOG_KEY (and CELLTRACE_LOG_ORIGIN, which "
            "names the key). Nothing was written"
        )


def _has_checkpoints(engine: Engine) -> bool:
    from sqlalchemy import select

    from ledger.integrity.checkpoints import log_checkpoints

    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, log_checkpoints.name):
            return False
        return conn.execute(select(log_checkpoints.c.sequence).limit(1)).first() is not None


def open_ledger(settings: Settings, *, clock: Clock = utc_now) -> CellTraceLedger:
    """The one place that builds the application (on SQLite it creates missing tables)."""
    return CellTraceLedger(settings, clock=clock)


@dataclass(frozen=True)
class Upgraded:
    """Revisions of the two schemas before and after `upgrade_ledger` (None: never migrated)."""

    ledger: tuple[str | None, str]
    key_store: tuple[str | None, str]


def upgrade_ledger(settings: Settings) -> Upgraded:
    """Migrate the kept tables of the ledger's database and of the key store to this release's
    revisions, then create what is missing (read models, triggers); idempotent. The owner runs
    it on PostgreSQL (`celltrace upgrade`, and `celltrace init` does the same)."""
    from ledger.storage import migrations
    from ledger.storage.schema import create_side_tables

    engine = create_db_engine(settings)
    try:
        ledger = migrations.upgrade(engine, migrations.LEDGER)
        create_side_tables(settings, engine)
    finally:
        engine.dispose()
    key_store = personal_data.open_key_store(settings)
    try:
        before = migrations.current(key_store, migrations.KEY_STORE)
        personal_data.prepare_key_store(settings, key_store)
        kept = (before, migrations.current(key_store, migrations.KEY_STORE) or "")
    finally:
        key_store.dispose()
    return Upgraded(ledger, kept)


def ledger_class_for(settings: Settings) -> type[CellTraceLedger]:
    """The application class the read models follow: a ProjectionRunner constructs it with an
    env only, so it opens the ledger of `settings` whatever it is given."""

    class FollowedLedger(CellTraceLedger):
        name = CellTraceLedger.name

        def __init__(self, env: Any = None) -> None:
            super().__init__(settings)

    return FollowedLedger


def open_projections(
    settings: Settings,
    *,
    checkpoints: bool = False,
    on_checkpoint: Callable[[StoredCheckpoint], object] | None = None,
    on_progress: Callable[[str, int], object] | None = None,
) -> Projections:
    """Every read model of the ledger of `settings` (see `ledger.projections.runner`)."""
    from ledger.projections.runner import Projections

    return Projections(
        settings,
        ledger_class_for(settings),
        checkpoints=checkpoints,
        on_checkpoint=on_checkpoint,
        on_progress=on_progress,
    )


def bring_up_to_date(settings: Settings, timeout: float = 60.0) -> None:
    """Make the read models include everything recorded so far (for one-off commands)."""
    from ledger.projections import runner

    runner.bring_up_to_date(settings, ledger_class_for(settings), timeout)
