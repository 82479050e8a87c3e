"""The label printer registry (R-ID-2, R-ACC-2): Zebra printers by name, with their network
address, resolution and label stock, registered, changed and retired by QA or an administrator.

A side table beside the access log, not ledger events: a printer is not part of any product's
history, and the access log is where every label print already names the printer it went to.
So each registration, change and retirement is an access-log entry (`printer:register`,
`printer:change`, `printer:retire`; subject `printer:<name>`; the SHA-256 of the printer's
definition as its payload), written in the same transaction as the table row: the row and its
hash-chained record are kept together or not at all, and a row edited in the database no longer
matches the hash of its last entry (`Printers.unrecorded`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, select

from label_printing.zebra import PrinterAddress, PrinterSpec, check_printer, printer_name
from ledger.errors import NotAuthorised, NotFound, RuleViolation, Violation
from ledger.messages import Sentence
from ledger.storage import migrations
from ledger.stores.access_log import AccessLog

metadata = MetaData()
printers_table = Table(
    "label_printers",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("host", String(253), nullable=False),
    Column("port", Integer, nullable=False),
    Column("dpi", Integer, nullable=False),
    Column("stock", String(60), nullable=False),
    Column("registered_at", String(40), nullable=False),
    Column("registered_by", String(40), nullable=False),
    Column("changed_at", String(40), nullable=True),
    Column("changed_by", String(40), nullable=True),
    Column("retired_at", String(40), nullable=True),
    Column("retired_by", String(40), nullable=True),
    Column("retired_reason", String(500), nullable=True),
)
#: The role recorded for the server console (`celltrace printers ...`), as for label prints.
CONSOLE = "command line"
MANAGERS = ("qa", "administrator", CONSOLE)
REGISTER, CHANGE, RETIRE = "printer:register", "printer:change", "printer:retire"
_ASK_REASON = "R-ACC-2"


@dataclass(frozen=True)
class Printer:
    """A registered printer and who registered, changed or retired it, when."""

    spec: PrinterSpec
    registered_at: str
    registered_by: str
    changed_at: str | None = None
    changed_by: str | None = None
    retired_at: str | None = None
    retired_by: str | None = None
    retired_reason: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def in_service(self) -> bool:
        return self.retired_at is None

    def history(self) -> dict[str, str | None]:
        """Who registered, changed and retired it, when (and why it was retired)."""
        return {
            "registered_at": self.registered_at,
            "registered_by": self.registered_by,
            "changed_at": self.changed_at,
            "changed_by": self.changed_by,
            "retired_at": self.retired_at,
            "retired_by": self.retired_by,
            "retired_reason": self.retired_reason,
        }

    def payload(self) -> bytes:
        """What the access-log entry of its last registration, change or retirement hashes."""
        retired = f"retired={self.retired_at or ''}\n".encode()
        return self.spec.canonical() + retired


def subject_of(name: str) -> str:
    """The access-log subject of a printer's registration, changes and retirement."""
    return f"printer:{name}"


class Printers:
    """Register, change, retire and look up printers; every change is in the access log."""

    def __init__(self, engine: Engine, log: AccessLog) -> None:
        self.engine = engine
        self.log = log

    def create_tables(self) -> None:
        migrations.ensure(self.engine, migrations.LEDGER)

    def register(
        self,
        at: datetime,
        person: str,
        role: str,
        via: str,
        spec: tuple[str, str, int, str],
    ) -> Printer:
        """Register the printer (name, address, dpi, stock); a name is never reused."""
        _check_role(role)
        checked = check_printer(*spec)
        printer = Printer(checked, at.isoformat(), person)

        def insert(conn: Connection) -> None:
            _refuse_taken(conn, checked.name)
            conn.execute(printers_table.insert().values(**_row(printer)))

        described = f"{checked.address}, {checked.dpi} dpi, {checked.stock}"
        self._record(at, person, role, REGISTER, printer, via, described, insert)
        return printer

    def change(
        self,
        at: datetime,
        person: str,
        role: str,
        via: str,
        name: str,
        reason: str,
        *,
        address: str | None = None,
        dpi: int | None = None,
        stock: str | None = None,
    ) -> Printer:
        """Change a printer's address, resolution or stock, with the reason (R-ACC-2)."""
        _check_role(role)
        current = self.in_service(name)
        old = current.spec
        new = check_printer(
            old.name,
            str(old.address) if address is None else address,
            old.dpi if dpi is None else dpi,
            old.stock if stock is None else stock,
        )
        changes = _differences(old, new)
        problems = [] if reason.strip() else [_reason_needed("change", old.name)]
        if not changes:
            problems.append(
                Violation.of(
                    "R-ACC-2",
                    "printer {name} already has that address, resolution and stock; give what "
                    "changes",
                    name=old.name,
                )
            )
        if problems:
            raise RuleViolation(problems)
        printer = Printer(
            new,
            current.registered_at,
            current.registered_by,
            changed_at=at.isoformat(),
            changed_by=person,
        )

        def update(conn: Connection) -> None:
            conn.execute(
                printers_table.update()
                .where(printers_table.c.name == old.name)
                .where(printers_table.c.retired_at.is_(None))
                .values(**_row(printer))
            )

        why = f"{reason.strip()} ({'; '.join(changes)})"
        self._record(at, person, role, CHANGE, printer, via, why, update)
        return printer

    def retire(
        self, at: datetime, person: str, role: str, via: str, name: str, reason: str
    ) -> Printer:
        """Take a printer out of service for good; it stays listed, its name is not reused."""
        _check_role(role)
        current = self.in_service(name)
        if not reason.strip():
            raise RuleViolation([_reason_needed("retirement", current.name)])
        retired = Printer(
            current.spec,
            current.registered_at,
            current.registered_by,
            current.changed_at,
            current.changed_by,
            at.isoformat(),
            person,
            reason.strip(),
        )

        def update(conn: Connection) -> None:
            conn.execute(
                printers_table.update()
                .where(printers_table.c.name == current.name)
                .values(**_row(retired))
            )

        self._record(at, person, role, RETIRE, retired, via, reason.strip(), update)
        return retired

    def get(self, name: str) -> Printer:
        """A registered printer (in service or retired), or NotFound saying where to look."""
        kept = printer_name(name)
        with self.engine.connect() as conn:
            row = conn.execute(select(printers_table).where(printers_table.c.name == kept)).first()
        if row is None:
            raise NotFound(
                Sentence(
                    "printer {name} is not registered; the registered printers are listed by "
                    "GET /api/v1/printers and `celltrace printers list`",
                    name=kept,
                )
            )
        return _printer(row)

    def in_service(self, name: str) -> Printer:
        """A printer that may print, or a refusal naming when and why it was retired."""
        printer = self.get(name)
        if not printer.in_service:
            raise RuleViolation(
                [
                    Violation.of(
                        "R-ID-2",
                        "printer {name} was retired on {when} UTC ({reason}); choose a printer "
                        "in service",
                        name=printer.name,
                        when=(printer.retired_at or "")[:16].replace("T", " "),
                        reason=printer.retired_reason or "",
                    )
                ]
            )
        return printer

    def registered(self, retired: bool = False) -> list[Printer]:
        """Printers in service by name, and the retired ones too when asked."""
        query = select(printers_table).order_by(printers_table.c.name)
        if not retired:
            query = query.where(printers_table.c.retired_at.is_(None))
        with self.engine.connect() as conn:
            return [_printer(row) for row in conn.execute(query)]

    def _record(
        self,
        at: datetime,
        person: str,
        role: str,
        action: str,
        printer: Printer,
        via: str,
        reason: str,
        write: Callable[[Connection], None],
    ) -> None:
        digest = hashlib.sha256(printer.payload()).hexdigest()
        self.log.append(
            at,
            person,
            role,
            action,
            subject_of(printer.name),
            via,
            reason[:500],
            digest,
            within=write,
        )

    def unrecorded(self) -> list[str]:
        """Printers whose row is not what the last access-log entry about them hashed: a row
        written or edited in the database outside CellTrace."""
        last = {
            e.subject: e.payload_sha256
            for e in self.log.entries()
            if e.action in (REGISTER, CHANGE, RETIRE)
        }
        return [
            p.name
            for p in self.registered(retired=True)
            if last.get(subject_of(p.name)) != hashlib.sha256(p.payload()).hexdigest()
        ]


def _check_role(role: str) -> None:
    if role not in MANAGERS:
        raise NotAuthorised(
            [
                Violation.of(
                    "R-PPL-2",
                    "label printers are registered, changed and retired by QA or an "
                    "administrator, not in the role {role:term}; sign in in one of those roles",
                    role=role,
                )
            ]
        )


def _refuse_taken(conn: Connection, name: str) -> None:
    row = conn.execute(select(printers_table).where(printers_table.c.name == name)).first()
    if row is None:
        return
    raise RuleViolation(
        [
            Violation.of(
                "R-ACC-2",
                "a printer named {name} was registered on {when} UTC by {person}; a printer's "
                "name is never reused, since the access log names the printer of every print: "
                "choose another name",
                name=name,
                when=str(row.registered_at)[:16].replace("T", " "),
                person=row.registered_by,
            )
        ]
    )


def _reason_needed(what: str, name: str) -> Violation:
    if what == "change":
        return Violation.of(
            _ASK_REASON,
            "give the reason for changing printer {name}; it is recorded in the access log",
            name=name,
        )
    return Violation.of(
        _ASK_REASON,
        "give the reason for retiring printer {name}; it is recorded in the access log",
        name=name,
    )


def _differences(old: PrinterSpec, new: PrinterSpec) -> list[str]:
    found = []
    if old.address != new.address:
        found.append(f"address {old.address} -> {new.address}")
    if old.dpi != new.dpi:
        found.append(f"{old.dpi} -> {new.dpi} dpi")
    if old.stock != new.stock:
        found.append(f"stock {old.stock} -> {new.stock}")
    return found


def _row(printer: Printer) -> dict[str, object]:
    return {
        "name": printer.spec.name,
        "host": printer.spec.address.host,
        "port": printer.spec.address.port,
        "dpi": printer.spec.dpi,
        "stock": printer.spec.stock,
        **printer.history(),
    }


def _printer(row: object) -> Printer:
    r = row._mapping  # type: ignore[attr-defined]
    spec = PrinterSpec(r["name"], PrinterAddress(r["host"], r["port"]), r["dpi"], r["stock"])
    return Printer(
        spec,
        r["registered_at"],
        r["registered_by"],
        r["changed_at"],
        r["changed_by"],
        r["retired_at"],
        r["retired_by"],
        r["retired_reason"],
    )


def printed_via(printer: Printer, via: str) -> str:
    """The access log's `via` of a label sent to `printer` by the request `via`."""
    return f"printer {printer.name} at {printer.spec.address}: {via}"


def printer_of(via: str) -> str | None:
    """The printer a recorded label print went to, or None for a file (download, sheet, CLI)."""
    if not via.startswith("printer "):
        return None
    name, _, rest = via.removeprefix("printer ").partition(" at ")
    return name if rest else None
