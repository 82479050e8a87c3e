"""The access log side store: a hash-chained table of reads of personal records and label
prints, beside the ledger in the same database (R-ACC-2; encoding in integrity/access_chain).

Reads are not ledger events: the ledger records what happened to the product, and would grow
with every scan otherwise. The chain makes a silent edit of any row visible to
`celltrace access-log`, and a head kept outside the database shows a rewrite of the whole log.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from ledger.errors import RuleViolation, Violation
from ledger.integrity.access_chain import AccessEntry, entry_hash, verify_chain
from ledger.integrity.chain import ZERO_HASH
from ledger.storage import migrations

metadata = MetaData()
access_log_table = Table(
    "access_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("person", String(40), nullable=False),
    Column("role", String(32), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(200), nullable=False, index=True),
    Column("via", String(500), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("entry_hash", LargeBinary(32), nullable=False),
)
_RETRIES = 20
# The statements of an append, built once (SQLAlchemy then reuses their compiled form).
_HEAD = (
    select(access_log_table.c.seq, access_log_table.c.entry_hash)
    .order_by(access_log_table.c.seq.desc())
    .limit(1)
)
_INSERT = access_log_table.insert()
#: The action of a label print (API download, printer or command line), R-ACC-2.
PRINT = "print:label"
#: The action of a person badge print (R-ACC-2).
PRINT_BADGE = "print:badge"
#: The subject of a list read of items (`GET /items`, its CSV file, the items page): a list
#: names no record in its request; the row's `via` says which list was read.
ITEM_LIST = "items"


class _Append:
    """One caller's entry waiting in the access log's group commit."""

    def __init__(self, draft: AccessEntry, within: Callable[[Connection], None] | None) -> None:
        self.draft = draft
        self.within = within
        self.leads = False
        self.woken = threading.Event()
        self.entry: AccessEntry | None = None
        self.error: Exception | None = None

    def result(self) -> AccessEntry:
        if self.error is not None:
            raise self.error
        assert self.entry is not None
        return self.entry


class AccessLog:
    """Append and list recorded accesses; verify the chain."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue = threading.Lock()  # guards _pending and _leading
        self._pending: list[_Append] = []
        self._leading = False

    def create_tables(self) -> None:
        migrations.ensure(self.engine, migrations.LEDGER)

    def append(
        self,
        at: datetime,
        person: str,
        role: str,
        action: str,
        subject: str,
        via: str,
        reason: str = "",
        payload_sha256: str = "",
        within: Callable[[Connection], None] | None = None,
    ) -> AccessEntry:
        """Record one access after the current head, committed before this returns;
        concurrent writers retry on the primary key (the next number can be taken only once).
        `within` writes what the entry records (e.g. a printer's registration) in the same
        transaction: both, or neither.

        Group commit: the threads of one process that append at the same time queue their
        entries; one of them writes all that are queued in one transaction (one commit, one
        fsync) while the others wait for it, then the next queued thread writes what queued
        meanwhile. Each caller still returns only once its own entry is committed."""
        draft = AccessEntry(
            0, at.isoformat(), person, role, action, subject, via[:500], reason, payload_sha256
        )
        me = _Append(draft, within)
        with self._queue:
            self._pending.append(me)
            if not self._leading:
                self._leading = me.leads = True
        if not me.leads:
            me.woken.wait()
        if me.leads:
            self._lead(me)
        return me.result()

    def _lead(self, me: _Append) -> None:
        """Write every queued entry (`me` among them), then hand over to the next queued."""
        with self._queue:
            batch, self._pending = self._pending, []
        try:
            together = [a for a in batch if a.within is None]
            if together:
                self._write(together)
            for alone in (a for a in batch if a.within is not None):
                self._write([alone])  # its own transaction: its `within` fails only itself
        finally:
            with self._queue:
                if self._pending:
                    following = self._pending[0]
                    following.leads = True
                    following.woken.set()
                else:
                    self._leading = False
            for waiting in batch:
                if waiting is not me:
                    waiting.woken.set()

    def _write(self, batch: list[_Append]) -> None:
        """The entries of `batch` after the head, in one transaction; each gets its entry or
        the error."""
        for _ in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    last = conn.execute(_HEAD).first()
                    seq, previous = (
                        (1, ZERO_HASH) if last is None else (last.seq + 1, bytes(last.entry_hash))
                    )
                    entries, rows = [], []
                    for queued in batch:
                        entry = replace(queued.draft, seq=seq)
                        previous = entry_hash(entry, previous)
                        entries.append(entry)
                        rows.append({**_fields(entry), "entry_hash": previous})
                        seq += 1
                        if queued.within is not None:
                            queued.within(conn)
                    conn.execute(_INSERT, rows)
            except (IntegrityError, OperationalError):
                continue
            except Exception as exc:
                for queued in batch:
                    queued.error = exc
                return
            for queued, entry in zip(batch, entries, strict=True):
                queued.entry = entry
            return
        busy = RuntimeError("the access log stayed busy; retry the read")
        for queued in batch:
            queued.error = busy

    def check_reprint(
        self, subjects: Sequence[str], reason: str, ask: str, action: str = PRINT
    ) -> None:
        """Refuse printing a label (or a badge) printed before without a reason (R-ID-2,
        R-ACC-2); `ask` says how to give one (`?reason=`, `--reason`). Nothing is recorded."""
        if reason.strip():
            return
        printed = self.prints(subjects, action)
        if not printed:
            return
        last = printed[-1]
        when = last.at[:16].replace("T", " ")
        if action == PRINT_BADGE:
            violation = Violation.of(
                "R-ACC-2",
                "the badge of {code} was printed before ({when} UTC by {person}); give the "
                "reason for printing it again (lost, damaged, roles changed) as {ask}",
                code=last.subject,
                when=when,
                person=last.person,
                ask=ask,
            )
        else:
            violation = Violation.of(
                "R-ID-2",
                "the label of {code} was printed before ({when} UTC by {person}); give "
                "the reason for printing it again as {ask}",
                code=last.subject,
                when=when,
                person=last.person,
                ask=ask,
            )
        raise RuleViolation([violation])

    def prints(self, subjects: Sequence[str], action: str = PRINT) -> list[AccessEntry]:
        """The recorded prints of `subjects` (labels by default), oldest first."""
        query = (
            select(access_log_table)
            .where(access_log_table.c.action == action)
            .where(access_log_table.c.subject.in_(list(subjects)))
            .order_by(access_log_table.c.seq)
        )
        with self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def record_prints(
        self,
        at: datetime,
        person: str,
        role: str,
        printed: Mapping[str, bytes],
        via: str,
        reason: str,
        action: str = PRINT,
    ) -> None:
        """One entry per label (or badge) printed (subject -> the file's bytes, hashed), with
        the reason for a reprint."""
        for subject, body in printed.items():
            digest = hashlib.sha256(body).hexdigest()
            self.append(at, person, role, action, subject, via, reason.strip(), digest)

    def entries(self, subject: str | None = None) -> list[AccessEntry]:
        query = select(access_log_table).order_by(access_log_table.c.seq)
        if subject is not None:
            query = query.where(
                or_(access_log_table.c.subject == subject, access_log_table.c.person == subject)
            )
        with self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def verify(self) -> tuple[int, bytes]:
        """(number of entries, head hash) or AccessChainBroken at the first bad row."""
        with self.engine.connect() as conn:
            rows = [
                (_entry(row), bytes(row.entry_hash))
                for row in conn.execute(select(access_log_table).order_by(access_log_table.c.seq))
            ]
        return len(rows), verify_chain(rows)

    def head_hash(self, seq: int) -> bytes | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(access_log_table.c.entry_hash).where(access_log_table.c.seq == seq)
            ).scalar()
        return None if value is None else bytes(value)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(access_log_table)).scalar_one()
            )


def _fields(entry: AccessEntry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "person": entry.person,
        "role": entry.role,
        "action": entry.action,
        "subject": entry.subject,
        "via": entry.via,
        "reason": entry.reason,
        "payload_sha256": entry.payload_sha256,
    }


def _entry(row: object) -> AccessEntry:
    return AccessEntry(
        seq=row.seq,  # type: ignore[attr-defined]
        at=row.at,  # type: ignore[attr-defined]
        person=row.person,  # type: ignore[attr-defined]
        role=row.role,  # type: ignore[attr-defined]
        action=row.action,  # type: ignore[attr-defined]
        subject=row.subject,  # type: ignore[attr-defined]
        via=row.via,  # type: ignore[attr-defined]
        reason=row.reason,  # type: ignore[attr-defined]
        payload_sha256=row.payload_sha256,  # type: ignore[attr-defined]
    )
