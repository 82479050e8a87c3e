"""Item codes as a ledger on the real clock issues them (`celltrace demo`, a served ledger).

A code's year digits and check character depend on the year of issue, so tests on such a
ledger compute its codes here instead of writing them out; tests on a fixed clock keep theirs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.identifiers import ItemType, format_code

YEAR = datetime.now(UTC).year
FACILITY = "F01"


def demo_code(item_type: ItemType, serial: int) -> str:
    """The code of the `serial`-th item of `item_type` issued this year at facility F01."""
    return format_code(item_type, FACILITY, YEAR, serial)


def mistyped(code: str) -> str:
    """`code` with a wrong check character (any other character is wrong: R-ID-1)."""
    return code[:-1] + ("X" if code[-1] != "X" else "Y")
