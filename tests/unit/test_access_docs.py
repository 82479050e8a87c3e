"""docs/api.md's table of who may read what is the declaration in ledger/api/access.py."""

from __future__ import annotations

from pathlib import Path

from ledger.api.access import markdown_table

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_r_acc_1_the_documented_table_is_the_declaration() -> None:
    text = API_MD.read_text()
    start = text.index("<!-- access-table:start -->\n") + len("<!-- access-table:start -->\n")
    end = text.index("\n<!-- access-table:end -->")
    assert text[start:end] == markdown_table(), (
        "docs/api.md is stale: paste `python -c 'from ledger.api.access import "
        "markdown_table; print(markdown_table())'` between the access-table markers"
    )
