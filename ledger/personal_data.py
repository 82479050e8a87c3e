"""Personal data kept outside the event chain, encrypted per person (R-LED-6).

Names, birth dates and contact details of donors (and later patients) are stored here, never in
events: each subject has its own random AES-256-GCM key in `personal_keys`, and its ciphertext in
`personal_data`, bound to the subject code as associated data. Erasing a subject deletes its key
and its ciphertext; the events that name the subject's pseudonymous code are untouched, so the
hash chain still verifies.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    text,
)

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


def create_tables(engine: Engine) -> None:
    """Create the key and ciphertext tables if missing (idempotent)."""
    metadata.create_all(engine, checkfirst=True)


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
    """Per-person encrypted storage on the ledger's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
            if self.engine.dialect.name == "sqlite":
                # Overwrite the freed pages instead of leaving the key bytes in the file.
                conn.execute(text("PRAGMA secure_delete = ON"))
            conn.execute(delete(data_table).where(data_table.c.subject_code == subject_code))
            erased = conn.execute(
                delete(keys_table).where(keys_table.c.subject_code == subject_code)
            ).rowcount
        return bool(erased)


def _aad(subject_code: str) -> bytes:
    return _AAD_PREFIX + subject_code.encode()
