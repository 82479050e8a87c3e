"""Personal data kept outside the event chain and apart from the ledger database (R-LED-6, R-LED-8);
the same key store holds the blinded studies' keys (`study_keys`, used by `ledger.stores.sealed`).

Names, birth dates and contact details of donors and patients are stored in their own **key
store**, never in events and never in the ledger database: each subject has its own random
AES-256-GCM key (`personal_keys`) and its ciphertext (`personal_data`), bound to the subject
code as associated data. On SQLite the key store is its own file, `personal-keys.db` in the data
directory, opened with `secure_delete=ON` (deleted rows are overwritten with zeros) and a
rollback journal (`journal_mode=DELETE`: no WAL keeps old pages), so erasing a subject leaves
neither key nor ciphertext in any file. On PostgreSQL it is its own schema, `celltrace_personal`,
so the application's role is granted on it separately. Erasing deletes the key and the
ciphertext; the events that name the pseudonymous code are untouched, so the chain still
verifies. Rows an earlier release kept in the ledger database are moved here on first open and
securely deleted there (`migrate_from_ledger`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
)

from ledger.config import Settings
from ledger.storage import migrations
from ledger.storage.db import create_db_engine

KEY_STORE_FILE = "personal-keys.db"
PG_SCHEMA = "celltrace_personal"
_AAD_PREFIX = b"celltrace-personal-data:v1:"
_NONCE_BYTES = 12

metadata = MetaData()
keys_table = Table(
    "personal_keys",
    metadata,
    Column("subject_code", String(40), primary_key=True),
    Column("aes_key", LargeBinary(32), nullable=False),
    Column("created_at", String(40), nullable=False),  # ISO 8601, UTC
)
data_table = Table(
    "personal_data",
    metadata,
    Column(
        "subject_code",
        String(40),
        ForeignKey("personal_keys.subject_code", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("nonce", LargeBinary(_NONCE_BYTES), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("updated_at", String(40), nullable=False),
)
# The keys that seal a blinded study's arms (`ledger.stores.sealed`): in the same key store, so the
# ledger database alone never opens a seal.
study_keys_table = Table(
    "study_keys",
    metadata,
    Column("study_code", String(40), primary_key=True),
    Column("aes_key", LargeBinary(32), nullable=False),
    Column("created_at", String(40), nullable=False),  # ISO 8601, UTC
)


def create_tables(engine: Engine) -> None:
    """Create the key and ciphertext tables if missing (idempotent); on PostgreSQL in their
    own schema (`open_key_store` maps the tables there)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}"))
    migrations.ensure(engine, migrations.KEY_STORE)


def open_key_store(settings: Settings) -> Engine:
    """An engine on the key store: `personal-keys.db` beside the ledger on SQLite, the
    `celltrace_personal` schema of the ledger's database on PostgreSQL."""
    db = settings.database
    if db.backend != "sqlite":
        return create_engine(
            db.sqlalchemy_url(),
            pool_pre_ping=True,
            execution_options={"schema_translate_map": {None: PG_SCHEMA}},
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / KEY_STORE_FILE
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"timeout": 30, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Zero deleted content in place; a rollback journal is removed at each commit, unlike
        # a WAL, which would keep the pages of an erased key until the next checkpoint.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def prepare_key_store(settings: Settings, key_store: Engine) -> None:
    """Create the key store's tables and move in what the ledger database still holds."""
    create_tables(key_store)
    ledger_engine = create_db_engine(settings)
    try:
        migrate_from_ledger(ledger_engine, key_store)
    finally:
        ledger_engine.dispose()


def migrate_from_ledger(ledger_engine: Engine, key_store: Engine) -> int:
    """Move personal-data rows an earlier release kept in the ledger database into the key
    store, then delete them there securely (zeroed pages, WAL truncated); returns how many."""
    found = inspect(ledger_engine)
    if not (found.has_table("personal_keys") and found.has_table("personal_data")):
        return 0
    with ledger_engine.connect() as conn:
        old_keys = [dict(r._mapping) for r in conn.execute(select(keys_table))]
        old_data = [dict(r._mapping) for r in conn.execute(select(data_table))]
    with key_store.begin() as conn:
        have = set(conn.execute(select(keys_table.c.subject_code)).scalars())
        new_keys = [r for r in old_keys if r["subject_code"] not in have]
        codes = {r["subject_code"] for r in new_keys}
        if new_keys:
            conn.execute(insert(keys_table), new_keys)
        new_data = [r for r in old_data if r["subject_code"] in codes]
        if new_data:
            conn.execute(insert(data_table), new_data)
    sqlite = ledger_engine.dialect.name == "sqlite"
    with ledger_engine.begin() as conn:
        if sqlite:
            conn.execute(text("PRAGMA secure_delete = ON"))
        conn.execute(delete(data_table))
        conn.execute(delete(keys_table))
        conn.execute(text("DROP TABLE personal_data"))
        conn.execute(text("DROP TABLE personal_keys"))
    if sqlite:
        with ledger_engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return len(new_keys)


@dataclass(frozen=True)
class PersonalData:
    """Identifying data of one person; never put into an event."""

    name: str
    birth_date: date | None = None
    contact: str = ""

    def fields(self) -> list[str]:
        """The names of the fields that hold something (safe to record in the ledger)."""
        given = {"name": self.name, "birth_date": self.birth_date, "contact": self.contact}
        return [k for k, v in given.items() if v]

    def to_bytes(self) -> bytes:
        birth = self.birth_date.isoformat() if self.birth_date else None
        body = {"name": self.name, "birth_date": birth, "contact": self.contact}
        return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> PersonalData:
        body = json.loads(raw)
        birth = date.fromisoformat(body["birth_date"]) if body["birth_date"] else None
        return cls(name=body["name"], birth_date=birth, contact=body["contact"])


class PersonalDataVault:
    """Per-person encrypted storage in the key store (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, settings: Settings) -> PersonalDataVault:
        """The key store of `settings`. On SQLite its file and tables are created when missing
        and rows an earlier release left in the ledger database are moved in; on PostgreSQL
        `celltrace init` does both (the application's role has no schema privileges)."""
        engine = open_key_store(settings)
        if settings.database.backend == "sqlite":
            prepare_key_store(settings, engine)
        return cls(engine)

    def store(self, subject_code: str, data: PersonalData, now: datetime) -> None:
        """Encrypt and store (or replace) the subject's data under the subject's own key."""
        with self.engine.begin() as conn:
            key = conn.execute(
                select(keys_table.c.aes_key).where(keys_table.c.subject_code == subject_code)
            ).scalar()
            if key is None:
                key = AESGCM.generate_key(bit_length=256)
                conn.execute(
                    insert(keys_table).values(
                        subject_code=subject_code, aes_key=key, created_at=now.isoformat()
                    )
                )
            nonce = os.urandom(_NONCE_BYTES)
            sealed = AESGCM(bytes(key)).encrypt(nonce, data.to_bytes(), _aad(subject_code))
            conn.execute(delete(data_table).where(data_table.c.subject_code == subject_code))
            conn.execute(
                insert(data_table).values(
                    subject_code=subject_code,
                    nonce=nonce,
                    ciphertext=sealed,
                    updated_at=now.isoformat(),
                )
            )

    def read(self, subject_code: str) -> PersonalData | None:
        """The subject's data, or None when none was stored or it was erased."""
        query = (
            select(keys_table.c.aes_key, data_table.c.nonce, data_table.c.ciphertext)
            .join(data_table, data_table.c.subject_code == keys_table.c.subject_code)
            .where(keys_table.c.subject_code == subject_code)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        key, nonce, sealed = (bytes(v) for v in row)
        return PersonalData.from_bytes(AESGCM(key).decrypt(nonce, sealed, _aad(subject_code)))

    def erase(self, subject_code: str) -> bool:
        """Destroy the subject's key and ciphertext; True when there was something to erase."""
        with self.engine.begin() as conn:
            # secure_delete (set on every SQLite connection) zeroes the freed cells.
            conn.execute(delete(data_table).where(data_table.c.subject_code == subject_code))
            erased = conn.execute(
                delete(keys_table).where(keys_table.c.subject_code == subject_code)
            ).rowcount
        return bool(erased)


def _aad(subject_code: str) -> bytes:
    return _AAD_PREFIX + subject_code.encode()
