"""Passwords and sign-in sessions, kept outside the event chain (R-LED-5, R-LED-6).

Passwords are hashed with Argon2id; a bearer token is 32 random bytes of which only the
SHA-256 is stored; five wrong passwords in a row lock the account for 15 minutes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    select,
    update,
)

from ledger.messages import Sentence

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
TOKEN_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 10

metadata = MetaData()
credentials_table = Table(
    "credentials",
    metadata,
    Column("person_code", String(40), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", String(40)),  # ISO 8601 UTC
)
sessions_table = Table(
    "sessions",
    metadata,
    Column("token_sha256", LargeBinary(32), primary_key=True),
    Column("person_code", String(40), nullable=False),
    Column("role", String(32), nullable=False),
    Column("expires_at", String(40), nullable=False),
)


class CredentialError(Exception):
    """Sign-in refused: the message is safe to show and says what to do."""

    def __init__(self, sentence: Sentence) -> None:
        super().__init__(sentence.render())
        self.sentence = sentence


@dataclass(frozen=True)
class Session:
    person_code: str
    role: str
    expires_at: datetime


class Credentials:
    """The password and session store on the ledger's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.hasher = PasswordHasher()

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def check_writable(self) -> None:
        """Raise the database's error unless a password can be stored here (the same DELETE
        and INSERT as `set_password`, rolled back): checked before a person is registered."""
        with self.engine.connect() as conn, conn.begin() as transaction:
            conn.execute(delete(credentials_table).where(credentials_table.c.person_code == ""))
            probe = {"person_code": "", "password_hash": "", "failed_attempts": 0}
            conn.execute(credentials_table.insert().values(probe))
            transaction.rollback()

    def set_password(self, person_code: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise CredentialError(
                Sentence(
                    "the password must have at least {minimum} characters",
                    minimum=MIN_PASSWORD_LENGTH,
                )
            )
        hashed = self.hasher.hash(password)
        with self.engine.begin() as conn:
            conn.execute(
                delete(credentials_table).where(credentials_table.c.person_code == person_code)
            )
            conn.execute(
                credentials_table.insert().values(
                    person_code=person_code, password_hash=hashed, failed_attempts=0
                )
            )

    def check_password(self, person_code: str, password: str, now: datetime) -> None:
        """Verify or raise CredentialError; counts failures and locks the account."""
        refusal: Sentence | None = None
        with self.engine.begin() as conn:
            row = conn.execute(
                select(credentials_table).where(credentials_table.c.person_code == person_code)
            ).first()
            if row is None:
                raise CredentialError(
                    Sentence(
                        "{person} has no password; ask an administrator to set one",
                        person=person_code,
                    )
                )
            if row.locked_until and datetime.fromisoformat(row.locked_until) > now:
                raise CredentialError(
                    Sentence(
                        "{person} is locked after {failures} wrong passwords until {until} UTC; "
                        "try again later or ask an administrator to reset the password",
                        person=person_code,
                        failures=MAX_FAILURES,
                        until=row.locked_until[:16].replace("T", " "),
                    )
                )
            failures = 0
            locked: str | None = None
            try:
                self.hasher.verify(row.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                failures = row.failed_attempts + 1
                if failures >= MAX_FAILURES:
                    failures, locked = 0, (now + LOCKOUT).isoformat()
                refusal = Sentence(
                    "wrong password for {person}{locked}",
                    person=person_code,
                    locked=Sentence(
                        "; the account is now locked for {minutes} minutes",
                        minutes=LOCKOUT.seconds // 60,
                    )
                    if locked
                    else "",
                )
            if failures != row.failed_attempts or locked != row.locked_until:
                conn.execute(
                    update(credentials_table)
                    .where(credentials_table.c.person_code == person_code)
                    .values(failed_attempts=failures, locked_until=locked)
                )
        if refusal is not None:
            raise CredentialError(refusal)

    def open_session(self, person_code: str, role: str, now: datetime) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        session = Session(person_code, role, now + TOKEN_LIFETIME)
        with self.engine.begin() as conn:
            conn.execute(
                sessions_table.insert().values(
                    token_sha256=_digest(token),
                    person_code=person_code,
                    role=role,
                    expires_at=session.expires_at.isoformat(),
                )
            )
        return token, session

    def session(self, token: str, now: datetime) -> Session | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sessions_table).where(sessions_table.c.token_sha256 == _digest(token))
            ).first()
        if row is None:
            return None
        expires = datetime.fromisoformat(row.expires_at)
        if expires <= now:
            return None
        return Session(row.person_code, row.role, expires)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()
