"""The label printer registry and the raw-port sender (R-ID-2, R-ACC-2): what defines a printer,
who may register, change and retire one, that each change is an access-log entry written with
its row, and what reaches a printer's TCP port (a real loopback listener)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from label_printing.zebra import (
    PrinterAddress,
    SendFailed,
    check_printer,
    parse_address,
    send_labels,
)
from ledger.errors import NotAuthorised, NotFound, RuleViolation
from ledger.stores.access_log import AccessLog
from ledger.stores.printers import Printers, printed_via, printer_of, printers_table
from tests.zebra import closed_port, listening

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
QA = ("PER-F01-26-000004-7", "qa")


@pytest.fixture
def printers(tmp_path: Path) -> Printers:
    engine = create_engine(f"sqlite:///{tmp_path / 'side.db'}")
    log = AccessLog(engine)
    log.create_tables()
    registry = Printers(engine, log)
    registry.create_tables()
    return registry


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("10.20.1.15", PrinterAddress("10.20.1.15", 9100)),
        ("10.20.1.15:6101", PrinterAddress("10.20.1.15", 6101)),
        ("Zebra-CR1.plant.local", PrinterAddress("zebra-cr1.plant.local", 9100)),
        ("[fd00::15]:9100", PrinterAddress("fd00::15", 9100)),
        ("[fd00::15]", PrinterAddress("fd00::15", 9100)),
    ],
)
def test_r_id_2_printer_addresses_are_host_and_port(text: str, address: PrinterAddress) -> None:
    assert parse_address(text) == address
    assert parse_address(str(address)) == address


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tcp://10.0.0.5",
        "10.0.0.5:",
        "10.0.0.5:0",
        "10.0.0.5:65536",
        "10.0.0.5:91a",
        "fd00::15",
        "printer one",
        "10.0.0.999",
        "host/path",
        "-zebra.lab",
        "[zebra]:9100",
    ],
)
def test_r_id_2_anything_else_is_not_a_printer_address(text: str) -> None:
    assert parse_address(text) is None


def test_r_id_2_a_bad_printer_definition_is_refused_with_every_problem() -> None:
    # When a printer is defined with a bad name, address, resolution and stock
    with pytest.raises(RuleViolation) as refused:
        check_printer("zebra one", "10.0.0.5:99999", 400, "x" * 61)
    # Then one refusal lists each problem with its rule
    rules = [v.rule for v in refused.value.violations]
    assert rules == ["R-ACC-2", "R-ID-2", "R-ID-2", "R-ID-2"]
    assert "'zebra one' must be 1 to 40 letters" in refused.value.detail
    assert "give the resolution of zebra one as 203, 300 or 600" in refused.value.detail
    # And each resolution Zebra printers have is accepted
    for dpi in (203, 300, 600):
        assert check_printer("Z-1", "z1.lab", dpi, "cryo").dpi == dpi


def test_r_acc_2_registering_a_printer_is_an_access_log_entry_written_with_its_row(
    printers: Printers,
) -> None:
    # When QA registers a printer
    printer = printers.register(AT, *QA, "POST /api/v1/printers", ("Z-1", "z1.lab", 300, "cryo"))
    # Then it is listed, and the access log has its registration with the definition's hash
    assert [p.name for p in printers.registered()] == ["z-1"]
    (entry,) = printers.log.entries()
    assert (entry.action, entry.subject, entry.person) == ("printer:register", "printer:z-1", QA[0])
    assert entry.payload_sha256 == hashlib.sha256(printer.payload()).hexdigest()
    assert entry.reason == "z1.lab:9100, 300 dpi, cryo"
    assert printers.unrecorded() == []


def test_r_acc_2_a_printer_row_edited_outside_celltrace_is_flagged(printers: Printers) -> None:
    # Given a registered printer whose address is then changed in the database directly
    printers.register(AT, *QA, "POST /api/v1/printers", ("z-1", "10.0.0.5", 300, "cryo"))
    with printers.engine.begin() as conn:
        conn.execute(update(printers_table).values(host="10.6.6.6"))
    # Then it no longer matches what its access-log entry recorded
    assert printers.unrecorded() == ["z-1"]


def test_r_acc_2_refused_registrations_write_nothing(printers: Printers) -> None:
    printers.register(AT, *QA, "POST /api/v1/printers", ("z-1", "10.0.0.5", 300, "cryo"))
    printers.retire(AT, *QA, "POST /api/v1/printers/z-1/retire", "z-1", "broken")
    before = (printers.registered(retired=True), printers.log.count())
    # When a name already used (even by a retired printer) is registered again
    with pytest.raises(RuleViolation) as taken:
        printers.register(AT, *QA, "POST /api/v1/printers", ("Z-1", "10.0.0.6", 300, "cryo"))
    assert taken.value.violations[0].rule == "R-ACC-2"
    assert "never reused" in taken.value.detail
    # When someone without the QA or administrator role registers one
    with pytest.raises(NotAuthorised) as role:
        printers.register(AT, "PER-F01-26-000002-B", "operator", "POST", ("z-2", "h", 300, "c"))
    assert role.value.violations[0].rule == "R-PPL-2"
    # Then nothing was written
    assert (printers.registered(retired=True), printers.log.count()) == before


def test_r_acc_2_changes_and_retirements_need_a_reason(printers: Printers) -> None:
    printers.register(AT, *QA, "POST", ("z-1", "10.0.0.5", 300, "cryo"))
    with pytest.raises(RuleViolation, match="reason for changing printer z-1"):
        printers.change(AT, *QA, "PATCH", "z-1", "", dpi=600)
    with pytest.raises(RuleViolation, match="already has that address"):
        printers.change(AT, *QA, "PATCH", "z-1", "why", dpi=300)
    with pytest.raises(RuleViolation, match="reason for retiring printer z-1"):
        printers.retire(AT, *QA, "POST", "z-1", " ")
    assert printers.log.count() == 1
    changed = printers.change(AT, *QA, "PATCH", "z-1", "new head", dpi=600)
    assert changed.spec.dpi == 600 and changed.changed_by == QA[0]
    with pytest.raises(NotFound, match="printer z-9 is not registered"):
        printers.get("z-9")


def test_r_acc_2_the_printer_of_a_print_is_read_back_from_its_via(printers: Printers) -> None:
    printer = printers.register(AT, *QA, "POST", ("z-1", "10.0.0.5", 300, "cryo"))
    via = printed_via(printer, "POST /api/v1/printers/z-1/print")
    assert via == "printer z-1 at 10.0.0.5:9100: POST /api/v1/printers/z-1/print"
    assert printer_of(via) == "z-1"
    assert printer_of("GET /api/v1/items/PVL-F01-26-000001-P/label.zpl") is None
    assert printer_of("celltrace labels --lot LOT-F01-26-000001-5") is None


def test_r_id_2_labels_reach_the_printer_s_port_in_order_in_one_connection() -> None:
    with listening() as printer:
        send_labels(PrinterAddress("127.0.0.1", printer.port), [b"^XA^FDone^FS^XZ\n", b"^XA^XZ\n"])
        assert printer.received() == b"^XA^FDone^FS^XZ\n^XA^XZ\n"


def test_r_id_2_a_printer_that_cannot_be_reached_fails_with_nothing_sent() -> None:
    with pytest.raises(SendFailed) as failed:
        send_labels(PrinterAddress("127.0.0.1", closed_port()), [b"^XA^XZ\n"], timeout=5)
    assert failed.value.sent == 0 and failed.value.problem == "connection refused"


def test_a_printer_may_have_exactly_the_resolutions_zpl_renders_for() -> None:
    """zebra names the resolutions without loading the renderer; they must stay the same."""
    from label_printing.zebra import RESOLUTIONS
    from label_printing.zpl import DOTS_PER_MM

    assert set(RESOLUTIONS) == set(DOTS_PER_MM)
