"""Passwords, sign-in sessions and sign-in throttles, kept outside the event chain
(R-LED-5, R-LED-6, R-ACC-3, R-ACC-4).

Passwords are hashed with Argon2id, with the parameters of RFC 9106's low-memory profile unless
CELLTRACE_PASSWORD_HASHING names another (a hash keeps its own parameters, so stored passwords
still verify after a change, and are hashed again with the new ones at the next sign-in;
`cheapest` exists only to keep test ledgers fast). A bearer token is 32 random bytes of which
only the SHA-256 is stored. Wrong passwords are counted per source address and per (person code,
address), never per person code alone, so nobody can lock another person out from elsewhere
(R-ACC-4); wrong e-signature passwords are counted apart from sign-ins. Password reset,
role change and an administrator's lock revoke every token of the person (R-ACC-3).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    select,
    update,
)

from ledger.errors import InvalidInput
from ledger.messages import Sentence
from ledger.storage import migrations
from ledger.stores.credential_throttle import Throttle, throttles_table

MAX_FAILURES = 5
ADDRESS_FAILURES = 20
LOCKOUT = timedelta(minutes=15)
TOKEN_LIFETIME = timedelta(hours=8)
# A shared station's token (R-ACC-3) starts with this; it lapses after the station idle time
# without use, each use moving its expiry on.
STATION_PREFIX = "st."
MIN_PASSWORD_LENGTH = 10
# The lock an administrator sets (`celltrace users lock`) lasts until it is lifted.
ADMIN_LOCK = "9999-12-31T00:00:00+00:00"

metadata = MetaData()
credentials_table = Table(
    "credentials",
    metadata,
    Column("person_code", String(40), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),  # unused since R-ACC-4
    Column("locked_until", String(40)),  # ISO 8601 UTC; set only by an administrator
)
sessions_table = Table(
    "sessions",
    metadata,
    Column("token_sha256", LargeBinary(32), primary_key=True),
    Column("person_code", String(40), nullable=False),
    Column("role", String(32), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Index("sessions_by_person", "person_code"),  # revision 0002
)
# A token's session, looked up on every signed-in request: built once, compiled once.
_SESSION = select(sessions_table).where(sessions_table.c.token_sha256 == bindparam("digest"))
throttles_table.to_metadata(metadata)


class CredentialError(Exception):
    """Sign-in refused: the message is safe to show and says what to do."""

    def __init__(self, sentence: Sentence) -> None:
        super().__init__(sentence.render())
        self.sentence = sentence


class ThrottledError(CredentialError):
    """Too many wrong passwords from this source (or for this signer): wait until `until`."""

    def __init__(self, sentence: Sentence, until: datetime) -> None:
        super().__init__(sentence)
        self.until = until


@dataclass(frozen=True)
class Session:
    person_code: str
    role: str
    expires_at: datetime


# Refusals that must read the same whether or not the person exists (R-ACC-4).
NOT_SIGNED_IN = Sentence("wrong person code or password")


HASHING_VARIABLE = "CELLTRACE_PASSWORD_HASHING"
HASHING_PROFILES: dict[str, Parameters] = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,  # the default: 64 MiB, 3 passes
    "rfc9106-high-memory": profiles.RFC_9106_HIGH_MEMORY,  # 2 GiB, 1 pass
    "cheapest": profiles.CHEAPEST,  # test ledgers only: guessable in no time
}
DEFAULT_HASHING = "rfc9106-low-memory"


def hashing_profile(environ: Mapping[str, str] | None = None) -> str:
    """The Argon2id profile new password hashes use (CELLTRACE_PASSWORD_HASHING)."""
    name = (os.environ if environ is None else environ).get(HASHING_VARIABLE) or DEFAULT_HASHING
    if name not in HASHING_PROFILES:
        raise InvalidInput(
            Sentence(
                "{variable}={name} is not a password hashing profile; use one of "
                "{known:terms_or} or unset it",
                variable=HASHING_VARIABLE,
                name=name,
                known=list(HASHING_PROFILES),
            )
        )
    return name


class Credentials:
    """The password, session and throttle store on the ledger's database."""

    def __init__(self, engine: Engine, profile: str | None = None) -> None:
        self.engine = engine
        self.profile = profile or hashing_profile()
        self.hasher = PasswordHasher.from_parameters(HASHING_PROFILES[self.profile])
        self._decoy_hash: str | None = None

    def create_tables(self) -> None:
        migrations.ensure(self.engine, migrations.LEDGER)

    def _decoy(self) -> str:
        """Verified against for unknown people, so a refusal takes as long either way (made on
        first use: hashing costs as much as a sign-in, and most stores never need it)."""
        if self._decoy_hash is None:
            self._decoy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._decoy_hash

    def check_writable(self) -> None:
        """Raise the database's error unless a password can be stored here (the same DELETE
        and INSERT as `set_password`, rolled back): checked before a person is registered."""
        with self.engine.connect() as conn, conn.begin() as transaction:
            conn.execute(delete(credentials_table).where(credentials_table.c.person_code == ""))
            probe = {"person_code": "", "password_hash": "", "failed_attempts": 0}
            conn.execute(credentials_table.insert().values(probe))
            transaction.rollback()

    def set_password(self, person_code: str, password: str) -> None:
        """Set or reset a password; a reset lifts a lock and ends every session (R-ACC-3)."""
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
            _revoke(conn, person_code)

    def lock(self, person_code: str) -> bool:
        """An administrator's lock: no sign-in or e-signature until lifted; every session
        ends now (R-ACC-3). False when the person has no password."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(credentials_table)
                .where(credentials_table.c.person_code == person_code)
                .values(locked_until=ADMIN_LOCK)
            ).rowcount
            _revoke(conn, person_code)
        return bool(done)

    def unlock(self, person_code: str) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(credentials_table)
                .where(credentials_table.c.person_code == person_code)
                .values(locked_until=None, failed_attempts=0)
            ).rowcount
        return bool(done)

    def sign_in(self, username: str, password: str, address: str, now: datetime) -> None:
        """Check a sign-in or raise: ThrottledError before anything else when the address or
        the (person code, address) pair is blocked, else the same CredentialError for an
        unknown person, a wrong password and a locked account (R-ACC-4)."""
        throttle = Throttle(self.engine)
        scopes = (
            (f"address:{address}", ADDRESS_FAILURES),
            (f"person:{username}@{address}", MAX_FAILURES),
        )
        for scope, _ in scopes:
            until = throttle.blocked_until(scope, now)
            if until is not None:
                raise ThrottledError(
                    Sentence(
                        "too many wrong passwords from this address; try again after "
                        "{until} UTC or ask an administrator",
                        until=until.isoformat()[:16].replace("T", " "),
                    ),
                    until,
                )
        if self._verify(username, password, now):
            throttle.clear(f"person:{username}@{address}")
            return
        for scope, limit in scopes:
            throttle.fail(scope, limit, LOCKOUT, now)
        raise CredentialError(NOT_SIGNED_IN)

    def check_password(self, person_code: str, password: str, now: datetime) -> None:
        """Re-authenticate a signer (R-LED-5). Wrong e-signature passwords are counted per
        signer, apart from sign-ins: five block that person's signatures for 15 minutes."""
        throttle = Throttle(self.engine)
        scope = f"signature:{person_code}"
        until = throttle.blocked_until(scope, now)
        if until is not None:
            raise ThrottledError(
                Sentence(
                    "{person} gave {failures} wrong signature passwords; signatures are "
                    "blocked until {until} UTC",
                    person=person_code,
                    failures=MAX_FAILURES,
                    until=until.isoformat()[:16].replace("T", " "),
                ),
                until,
            )
        if self._verify(person_code, password, now):
            throttle.clear(scope)
            return
        throttle.fail(scope, MAX_FAILURES, LOCKOUT, now)
        raise CredentialError(Sentence("wrong password for {person}", person=person_code))

    def _verify(self, person_code: str, password: str, now: datetime) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(credentials_table).where(credentials_table.c.person_code == person_code)
            ).first()
        stored = self._decoy() if row is None else row.password_hash
        try:
            self.hasher.verify(stored, password)
            matches = row is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            matches = False
        locked = row is not None and bool(row.locked_until) and row.locked_until > now.isoformat()
        if matches and not locked and self.hasher.check_needs_rehash(stored):
            self._rehash(person_code, stored, password)
        return matches and not locked

    def _rehash(self, person_code: str, stored: str, password: str) -> None:
        """Hash a verified password again with the current profile (only if it is unchanged)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(credentials_table)
                .where(
                    (credentials_table.c.person_code == person_code)
                    & (credentials_table.c.password_hash == stored)
                )
                .values(password_hash=self.hasher.hash(password))
            )

    def open_session(
        self, person_code: str, role: str, now: datetime, idle: timedelta | None = None
    ) -> tuple[str, Session]:
        """A new token for `person_code` acting in `role`: for 8 hours, or, on a shared station
        (`idle` given), until it is left unused for `idle`."""
        token = secrets.token_urlsafe(32)
        session = Session(person_code, role, now + TOKEN_LIFETIME)
        if idle is not None:
            token = STATION_PREFIX + token
            session = Session(person_code, role, now + min(idle, TOKEN_LIFETIME))
        with self.engine.begin() as conn:
            # Expired sessions are purged as new ones open (R-ACC-3).
            conn.execute(delete(sessions_table).where(sessions_table.c.expires_at <= _iso(now)))
            conn.execute(
                sessions_table.insert().values(
                    token_sha256=_digest(token),
                    person_code=person_code,
                    role=role,
                    expires_at=_iso(session.expires_at),
                )
            )
        return token, session

    def session(self, token: str, now: datetime, idle: timedelta | None = None) -> Session | None:
        """The session of `token`, or None when unknown or expired. A station token's use
        moves its expiry to `idle` from now (R-ACC-3)."""
        with self.engine.connect() as conn:
            row = conn.execute(_SESSION, {"digest": _digest(token)}).first()
        if row is None:
            return None
        expires = datetime.fromisoformat(row.expires_at)
        if expires <= now:
            return None
        if token.startswith(STATION_PREFIX) and idle is not None:
            expires = now + idle
            with self.engine.begin() as conn:
                conn.execute(
                    update(sessions_table)
                    .where(sessions_table.c.token_sha256 == _digest(token))
                    .values(expires_at=_iso(expires))
                )
        return Session(row.person_code, row.role, expires)

    def close_session(self, token: str) -> None:
        """Sign-out: the token stops working at once (R-ACC-3)."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(sessions_table).where(sessions_table.c.token_sha256 == _digest(token))
            )

    def revoke(self, person_code: str) -> int:
        """End every session of the person (role change, R-ACC-3); returns how many."""
        with self.engine.begin() as conn:
            return _revoke(conn, person_code)


def _revoke(conn: Connection, person_code: str) -> int:
    return conn.execute(
        delete(sessions_table).where(sessions_table.c.person_code == person_code)
    ).rowcount


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()
