"""Zebra label printers on the network: what defines one (address, resolution, label stock) and
sending ZPL to its raw port, TCP 9100 (R-ID-2).

A Zebra printer prints whatever ZPL arrives on its raw port; it answers nothing. So "sent" here
means every byte was handed to the connection and the connection was then closed in order
(`shutdown` then `close`); a printer that cannot be reached within the timeout, refuses the
connection or drops it raises :class:`SendFailed` with how many labels went out before.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.errors import RuleViolation, Violation

DEFAULT_PORT = 9100
RESOLUTIONS = (203, 300, 600)
"""The printer resolutions in dpi that `label_printing.zpl.DOTS_PER_MM` renders for (named here
so that registering a printer does not load the label renderer)."""
"""The resolutions Zebra label printers print at: 203, 300 and 600 dpi."""
TIMEOUT_SECONDS = 5.0
"""How long to wait for a printer to accept the connection or take the bytes."""
MAX_STOCK = 60
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}", re.ASCII)
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)", re.ASCII)


@dataclass(frozen=True)
class PrinterAddress:
    """Where a printer listens: a host name or IP address, and its raw port."""

    host: str
    port: int = DEFAULT_PORT

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class PrinterSpec:
    """A printer as registered: its name, address, resolution and the label stock loaded."""

    name: str
    address: PrinterAddress
    dpi: int
    stock: str

    def canonical(self) -> bytes:
        """The definition as hashed into the access log (one ``name=value`` line each)."""
        fields = (
            ("name", self.name),
            ("address", str(self.address)),
            ("dpi", str(self.dpi)),
            ("stock", self.stock),
        )
        return "".join(f"{k}={v}\n" for k, v in fields).encode("utf-8")


def printer_name(text: str) -> str:
    """A printer's name as kept (lower case), or a refusal saying what a name may hold."""
    name = text.strip().lower()
    if not _NAME.fullmatch(name):
        raise RuleViolation([_bad_name(text)])
    return name


def parse_address(text: str) -> PrinterAddress | None:
    """``host``, ``host:port``, ``IPv4:port`` or ``[IPv6]:port`` (port 9100 when left out);
    None when the text is not such an address."""
    raw = text.strip()
    bracketed = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::([0-9]{1,5}))?", raw)
    if bracketed:
        host, port = bracketed.group(1), bracketed.group(2)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
    else:
        if raw.count(":") > 1 or raw.endswith(":"):
            return None  # an IPv6 address goes in brackets; a port is not left empty
        host, _, port = raw.partition(":")
        if not _host_name(host):
            return None
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        return None
    return PrinterAddress(host.lower(), int(port) if port else DEFAULT_PORT)


def check_printer(name: str, address: str, dpi: int, stock: str) -> PrinterSpec:
    """The printer's definition, or one refusal listing every problem (R-ID-2, R-ACC-2)."""
    problems: list[Violation] = []
    kept = name.strip().lower()
    if not _NAME.fullmatch(kept):
        problems.append(_bad_name(name))
    parsed = parse_address(address)
    if parsed is None:
        problems.append(
            Violation.of(
                "R-ID-2",
                "printer address {address!r} of {name} is not host:port; give the printer's "
                "network address without a scheme or path, e.g. 10.20.1.15:9100, "
                "zebra-cr1.plant.local or [fd00::15]:9100 (port 9100 when left out)",
                address=address[:80],
                name=kept[:40] or "the printer",
            )
        )
    problems += resolution_problems(kept, dpi)
    problems += stock_problems(kept, stock)
    if problems:
        raise RuleViolation(problems)
    assert parsed is not None
    return PrinterSpec(kept, parsed, dpi, stock.strip())


def resolution_problems(name: str, dpi: int) -> list[Violation]:
    if dpi in RESOLUTIONS:
        return []
    return [
        Violation.of(
            "R-ID-2",
            "{dpi} dpi is not a resolution Zebra label printers print at; give the resolution "
            "of {name} as 203, 300 or 600 (its configuration label shows it)",
            dpi=dpi,
            name=name[:40] or "the printer",
        )
    ]


def stock_problems(name: str, stock: str) -> list[Violation]:
    text = stock.strip()
    if text and text.isprintable() and len(text) <= MAX_STOCK:
        return []
    return [
        Violation.of(
            "R-ID-2",
            "describe the label stock loaded in {name} in 1 to {most} printable characters, "
            "e.g. cryo 38x19 mm",
            name=name[:40] or "the printer",
            most=MAX_STOCK,
        )
    ]


class SendFailed(Exception):
    """The printer could not be reached, or stopped taking bytes after `sent` labels."""

    def __init__(self, sent: int, problem: str) -> None:
        super().__init__(problem)
        self.sent = sent
        self.problem = problem


def send_labels(
    address: PrinterAddress, labels: Sequence[bytes], timeout: float = TIMEOUT_SECONDS
) -> None:
    """Send each label's ZPL in turn over one TCP connection to the printer's raw port, then
    close it; raises :class:`SendFailed` (with the number of labels sent in full) when the
    printer cannot be reached within `timeout` or drops the connection."""
    sent = 0
    try:
        with socket.create_connection((address.host, address.port), timeout=timeout) as conn:
            for body in labels:
                conn.sendall(body)
                sent += 1
            conn.shutdown(socket.SHUT_WR)
    except OSError as exc:
        raise SendFailed(sent, _problem(exc, timeout)) from None


def _problem(exc: OSError, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    return exc.strerror or type(exc).__name__


def _host_name(host: str) -> bool:
    if not host or len(host) > 253:
        return False
    try:
        ipaddress.IPv4Address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if all(label.isdigit() for label in labels):
        return False  # a mistyped IPv4 address, not a name
    return all(_HOST_LABEL.fullmatch(label) for label in labels)


def _bad_name(text: str) -> Violation:
    return Violation.of(
        "R-ACC-2",
        "printer name {name!r} must be 1 to 40 letters, digits, '.', '_' or '-', starting with "
        "a letter or digit (it names the printer in the access log and in addresses), e.g. "
        "zebra-cleanroom-1",
        name=text[:60],
    )
