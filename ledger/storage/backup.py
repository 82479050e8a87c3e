"""Copies of a ledger's database taken while it runs, and put back (docs/operations.md "Backups").

A backup is a directory with up to three parts, kept apart afterwards because they are kept for
different times and by different people:

- `ledger/`: the ledger database (events, Merkle log, checkpoints, read models, passwords) and
  `backup.json`, the manifest: release, time, backend, the number of events and the chain head
  the copy ends with, and the SHA-256 of every file. SQLite: `ledger.db`, one consistent copy
  through SQLite's online backup API (writers go on meanwhile; the copy is the database as of
  one instant). PostgreSQL: `ledger.pgdump`, `pg_dump --format=custom` of every schema but the
  key store's, taken in a snapshot exported by the transaction that read the head.
- `key-store/`: the personal-data key store (R-LED-8: short-lived, encrypted, apart):
  `personal-keys.db` or `personal-keys.pgdump` (the `celltrace_personal` schema).
- `keys/`: the signing keys (secret; kept as long as the ledger).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from ledger.config import CONNECT_TIMEOUT_SECONDS, DatabaseURL, Settings
from ledger.errors import InvalidInput, Unreachable
from ledger.storage.reachability import pg_connect
from ledger.stores.personal_data import KEY_STORE_FILE, PG_SCHEMA

MANIFEST = "backup.json"
FORMAT = 1
LEDGER, KEY_STORE, KEYS = "ledger", "key-store", "keys"
SQLITE_LEDGER, PG_LEDGER = "ledger.db", "ledger.pgdump"
PG_KEY_STORE = "personal-keys.pgdump"


@dataclass(frozen=True)
class Head:
    """Where a ledger ends: its number of events and its last notification id and chain hash."""

    events: int
    notification_id: int | None
    chain_hash: bytes | None

    def __str__(self) -> str:
        if self.chain_hash is None:
            return "empty"
        return f"{self.notification_id}:{self.chain_hash.hex()}"


@dataclass(frozen=True)
class Manifest:
    release: str
    created_at: str
    backend: str
    head: Head
    files: dict[str, str]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "release": self.release,
                "created_at": self.created_at,
                "backend": self.backend,
                "events": self.head.events,
                "chain_head": str(self.head) if self.head.chain_hash else None,
                "files": self.files,
            },
            indent=2,
        )

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / LEDGER / MANIFEST
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            head_text = data["chain_head"]
            nid, chain = (None, None)
            if head_text:
                left, right = str(head_text).split(":", 1)
                nid, chain = int(left), bytes.fromhex(right)
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            return cls(
                str(data["release"]),
                str(data["created_at"]),
                str(data["backend"]),
                Head(int(data["events"]), nid, chain),
                {str(k): str(v) for k, v in dict(data["files"]).items()},
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(
                f"{path} is not the manifest of a celltrace backup "
                f"({str(exc) or type(exc).__name__}); give the directory `celltrace backup` wrote"
            ) from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def damaged_files(directory: Path, manifest: Manifest) -> list[str]:
    """The files the manifest lists that are missing or whose SHA-256 differs."""
    return [
        name
        for name, digest in sorted(manifest.files.items())
        if not (directory / name).is_file() or sha256_file(directory / name) != digest
    ]


def sqlite_head(path: Path) -> Head:
    """The head of the SQLite ledger at `path` (empty when it has no event table yet)."""
    with closing_sqlite(path) as conn:
        return _sqlite_head(conn)


def _sqlite_head(conn: sqlite3.Connection) -> Head:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stored_events'"
    ).fetchone()
    if not exists:
        return Head(0, None, None)
    count = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
    last = conn.execute(
        "SELECT rowid, chain_hash FROM stored_events ORDER BY rowid DESC LIMIT 1"
    ).fetchone()
    return Head(int(count), *(last if last else (None, None)))


def sqlite_chain_hash_at(path: Path, notification_id: int) -> bytes | None:
    """The chain hash stored with notification `notification_id` in the SQLite ledger at `path`."""
    with closing_sqlite(path) as conn:
        row = conn.execute(
            "SELECT chain_hash FROM stored_events WHERE rowid = ?", (notification_id,)
        ).fetchone()
    return bytes(row[0]) if row else None


@contextmanager
def closing_sqlite(path: Path, *, create: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to the SQLite file at `path`, which must exist unless `create`."""
    uri = f"{path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
    conn = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def copy_sqlite(source: Path, dest: Path, *, single_file: bool = False) -> None:
    """One consistent copy of the SQLite database `source` into `dest` (created or replaced in
    place under SQLite's locks: readers of `dest` never see half a copy). `single_file` leaves
    `dest` in rollback-journal mode, one file with no `-wal` beside it (a backup's copy)."""
    with closing_sqlite(source) as src, closing_sqlite(dest, create=True) as dst:
        src.backup(dst)
        if single_file:
            dst.execute("PRAGMA journal_mode=DELETE")


def backup_sqlite(settings: Settings, dest: Path) -> Head:
    """Copy the ledger and return the head of the copy (read from the copy itself)."""
    db = settings.database
    assert db.sqlite_path is not None
    target = dest / LEDGER / SQLITE_LEDGER
    copy_sqlite(db.sqlite_path, target, single_file=True)
    return sqlite_head(target)


def backup_sqlite_key_store(settings: Settings, dest: Path) -> Path | None:
    source = settings.data_dir / KEY_STORE_FILE
    if not source.exists():
        return None
    target = dest / KEY_STORE / KEY_STORE_FILE
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    copy_sqlite(source, target, single_file=True)
    return target


def backup_postgres(settings: Settings, dest: Path, *, key_store: bool) -> Head:
    """`pg_dump` the ledger (and the key store's schema) in the snapshot that read the head."""
    db = settings.database
    with pg_connect(db) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()
        count = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()
        last = conn.execute(
            "SELECT notification_id, chain_hash FROM stored_events "
            "ORDER BY notification_id DESC LIMIT 1"
        ).fetchone()
        assert snapshot is not None and count is not None
        head = Head(int(count[0]), *((int(last[0]), bytes(last[1])) if last else (None, None)))
        _pg_dump(db, str(snapshot[0]), dest / LEDGER / PG_LEDGER, f"--exclude-schema={PG_SCHEMA}")
        if key_store:
            _pg_dump(db, str(snapshot[0]), dest / KEY_STORE / PG_KEY_STORE, f"--schema={PG_SCHEMA}")
        conn.rollback()
    return head


def postgres_has_ledger(db: DatabaseURL) -> bool:
    """Whether `db` has an event table (even an empty one, as `celltrace init` leaves it)."""
    with pg_connect(db) as conn:
        exists = conn.execute("SELECT to_regclass('stored_events')").fetchone()
    return bool(exists and exists[0] is not None)


def postgres_head(db: DatabaseURL) -> Head:
    if not postgres_has_ledger(db):
        return Head(0, None, None)
    with pg_connect(db) as conn:
        count = conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()
        last = conn.execute(
            "SELECT notification_id, chain_hash FROM stored_events "
            "ORDER BY notification_id DESC LIMIT 1"
        ).fetchone()
    assert count is not None
    return Head(int(count[0]), *((int(last[0]), bytes(last[1])) if last else (None, None)))


def restore_postgres(db: DatabaseURL, dump: Path) -> None:
    """`pg_restore` a dump into the (empty) database `db`, in one transaction."""
    _run_pg_tool(
        "pg_restore",
        db,
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "-d",
        db.dbname,
        str(dump),
    )


def postgres_key_store_empty(db: DatabaseURL) -> bool:
    with pg_connect(db) as conn:
        exists = conn.execute("SELECT to_regclass(%s)", (f"{PG_SCHEMA}.personal_keys",)).fetchone()
        if not exists or exists[0] is None:
            return True
        count = f"SELECT COUNT(*) FROM {PG_SCHEMA}.personal_keys"  # noqa: S608 - a constant
        row = conn.execute(count.encode()).fetchone()
    return row is None or int(row[0]) == 0


def drop_empty_key_store_schema(db: DatabaseURL) -> None:
    """Drop the key store's schema of `db` when it holds no key (so a dump can recreate it)."""
    with pg_connect(db) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE".encode())


def copy_keys(source: Path, target: Path) -> tuple[list[str], list[str]]:
    """Copy the signing key files of `source` missing from `target`; returns (copied, kept:
    files already there that differ from the backup's, which are never overwritten)."""
    copied: list[str] = []
    kept: list[str] = []
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in sorted(source.iterdir()):
        if not path.is_file():
            continue
        there = target / path.name
        if there.exists():
            if there.read_bytes() != path.read_bytes():
                kept.append(path.name)
            continue
        shutil.copy2(path, there)
        os.chmod(there, path.stat().st_mode & 0o777)
        copied.append(path.name)
    return copied, kept


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _pg_dump(db: DatabaseURL, snapshot: str, dest: Path, *args: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    _run_pg_tool("pg_dump", db, "--format=custom", f"--snapshot={snapshot}", *args, "-f", str(dest))


def _run_pg_tool(tool: str, db: DatabaseURL, *args: str) -> None:
    """Run a PostgreSQL client tool on `db` (connection settings in its environment, so the
    password never appears in a process list)."""
    if shutil.which(tool) is None:
        raise Unreachable(
            f"{tool} is not installed here; install the PostgreSQL client tools of the server's "
            "major version (Debian: postgresql-client) and run the command again"
        )
    env = {
        **os.environ,
        "PGHOST": db.host,
        "PGPORT": str(db.port),
        "PGUSER": db.user,
        "PGDATABASE": db.dbname,
        "PGCONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS),
    }
    if db.password:
        env["PGPASSWORD"] = db.password
    done = subprocess.run(  # noqa: S603 - a fixed PostgreSQL tool, arguments as a list
        [tool, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        problem = lines[-1] if lines else f"exit {done.returncode}"
        raise Unreachable(f"{tool} failed: {problem}")
