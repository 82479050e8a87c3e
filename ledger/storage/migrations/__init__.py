"""Schema migrations (Alembic) of the tables that are kept, not derived: in the ledger's database
the checkpoints, the log identity, passwords, sessions, sign-in throttles, the access log and
the label printers; in the key store its keys and personal data (docs/operations.md
"Upgrading").

The event table is eventsourcing's and never changes shape; read models and the Merkle log are
derived from the events and rebuilt by the process that maintains them when their shape changes
(`SQLAlchemyView.create_tables`). Each of the two databases has its own chain of revisions and
its own version table (`celltrace_schema`, `celltrace_key_store_schema`). The first revision of
each is the schema of release 0.1.0, written so that it also adopts a database that release
made (it creates only the tables missing); later revisions change it.

`ensure(engine, which)` brings a database to the newest revision (idempotent; one query when it
is there already): every store calls it before using its tables, so a new SQLite ledger needs no
set-up, and `celltrace init` / `celltrace upgrade` run it as the owner on PostgreSQL. Migrations
take turns (SQLite's write lock, a PostgreSQL advisory lock) and run in one transaction.
"""

from __future__ import annotations

import logging
import weakref
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, select
from sqlalchemy.exc import DBAPIError

from ledger.errors import Unreachable
from ledger.storage.db import schema_turn

Database = Literal["ledger", "key_store"]
LEDGER: Database = "ledger"
KEY_STORE: Database = "key_store"
VERSION_TABLE: dict[Database, str] = {
    LEDGER: "celltrace_schema",
    KEY_STORE: "celltrace_key_store_schema",
}
_log = logging.getLogger(__name__)
if TYPE_CHECKING:
    from alembic.config import Config

HEAD: dict[Database, str] = {"ledger": "0002", "key_store": "k0001"}
"""The newest revision of each chain (a test checks it is Alembic's head): known without
importing Alembic, so a process whose databases are up to date never loads it."""
_AT_HEAD: dict[Database, weakref.WeakSet[Engine]] = {
    LEDGER: weakref.WeakSet(),
    KEY_STORE: weakref.WeakSet(),
}


def config(which: Database, connection: Connection | None = None) -> Config:
    """The Alembic configuration of `which` database's revisions (no alembic.ini)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", f"ledger.storage.migrations:{which}")
    cfg.attributes["which"] = which
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def script_head(which: Database) -> str:
    """The newest revision of `which` database's schema, as Alembic reads the revision files."""
    from alembic.script import ScriptDirectory

    found = ScriptDirectory.from_config(config(which)).get_current_head()
    assert found is not None
    return found


def head(which: Database) -> str:
    """The newest revision of `which` database's schema."""
    return HEAD[which]


def current(engine: Engine, which: Database) -> str | None:
    """The revision `which` database is at (None: never migrated)."""
    with engine.connect() as conn:
        return _current(conn, which)


def ensure(engine: Engine, which: Database) -> None:
    """Bring the database to the newest revision (nothing to do: one query, once per engine)."""
    if engine in _AT_HEAD[which]:
        return
    upgrade(engine, which)
    _AT_HEAD[which].add(engine)


def upgrade(engine: Engine, which: Database, revision: str = "head") -> tuple[str | None, str]:
    """Migrate to `revision`; returns (revision before, revision after)."""
    return _migrate(engine, which, revision, "upgrade")


def downgrade(engine: Engine, which: Database, revision: str) -> tuple[str | None, str]:
    """Migrate back to `revision` (the owner, before installing an older release)."""
    _AT_HEAD[which].discard(engine)
    return _migrate(engine, which, revision, "downgrade")


def run_env(context: Any) -> None:
    """What each revision chain's env.py runs: the migrations on the connection given."""
    cfg = context.config
    conn: Connection = cfg.attributes["connection"]
    which: Database = cfg.attributes["which"]
    context.configure(
        connection=conn,
        version_table=VERSION_TABLE[which],
        version_table_schema=_schema(conn, which),
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _migrate(engine: Engine, which: Database, revision: str, way: str) -> tuple[str | None, str]:
    with engine.connect() as conn:
        before = _current(conn, which)
        target = head(which) if revision == "head" else revision
        if before == target:
            return before, target
    with schema_turn(engine) as conn:
        before = _current(conn, which)
        if before != target:
            from alembic import command

            try:
                getattr(command, way)(config(which, conn), revision)
            except DBAPIError as exc:
                first = str(exc.orig or exc).strip().splitlines()[0]
                raise Unreachable(
                    f"the {which.replace('_', ' ')} schema is at revision {before or 'none'} and "
                    f"this release needs {target}, which this role cannot apply ({first}); run "
                    "`celltrace upgrade` as the database owner (docs/operations.md)"
                ) from None
        conn.commit()
    after = _current_after(engine, which)
    if after != before:
        _log.info("The %s schema went from revision %s to %s", which, before or "(none)", after)
    return before, after


def _current(conn: Connection, which: Database) -> str | None:
    """The revision in the version table (the one row Alembic keeps there), read with plain
    SQL; None when there is no table or no row."""
    table = Table(
        VERSION_TABLE[which],
        MetaData(),
        Column("version_num", String(32)),
        schema=_schema(conn, which),
    )
    if not conn.dialect.has_table(conn, table.name, schema=table.schema):
        return None
    rows = [str(v) for v in conn.execute(select(table.c.version_num)).scalars()]
    if len(rows) > 1:
        raise Unreachable(
            f"the {which.replace('_', ' ')} schema records several revisions ({', '.join(rows)}); "
            "this release knows one chain: restore a backup taken before the change"
        )
    return str(rows[0]) if rows else None


def _current_after(engine: Engine, which: Database) -> str:
    found = current(engine, which)
    assert found is not None
    return found


def _schema(conn: Connection, which: Database) -> str | None:
    """Where the version table lives: the key store's own schema on PostgreSQL."""
    if which == KEY_STORE and conn.dialect.name == "postgresql":
        from ledger.stores.personal_data import PG_SCHEMA

        return PG_SCHEMA
    return None
