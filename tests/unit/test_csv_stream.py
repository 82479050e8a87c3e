"""Lists as CSV files (`ledger/api/csv_stream.py`): RFC 4180 text streamed in pieces, a header
that names the columns, and cells a spreadsheet would run as formulas written as text (OWASP
CSV Injection)."""

from __future__ import annotations

import csv
import io

import pytest

from ledger.api.csv_stream import BUFFER, csv_chunks, csv_response, guard


def _parsed(chunks: list[bytes]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8"), newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_run_as_a_formula_is_written_as_text(start: str) -> None:
    # Given a text cell starting like a spreadsheet formula (OWASP: = + - @ tab CR)
    cell = f'{start}HYPERLINK("http://x","y")'
    # When it is written / Then it gets a leading single quote, and reads back so
    assert guard(cell) == "'" + cell
    assert _parsed(list(csv_chunks(["c"], [[cell]])))[1] == ["'" + cell]


def test_other_cells_are_written_as_they_are() -> None:
    assert guard("PVL-F01-26-000001-P") == "PVL-F01-26-000001-P"
    assert guard("a=b") == "a=b"
    assert guard(None) == ""
    assert guard(-5) == -5  # a number is data, not a formula


def test_rows_are_quoted_and_read_back_unchanged() -> None:
    rows = [["a,b", 'say "hi"', "two\nlines", None, "中心 1", 3]]
    got = _parsed(list(csv_chunks(["x", "y", "z", "w", "v", "n"], rows)))
    assert got == [
        ["x", "y", "z", "w", "v", "n"],
        ["a,b", 'say "hi"', "two\nlines", "", "中心 1", "3"],
    ]


def test_a_long_list_comes_in_pieces_of_about_the_buffer() -> None:
    # Given rows far longer in all than one buffer
    rows = ([f"PVL-{i:06d}", "x" * 100] for i in range(5000))
    # When written
    chunks = list(csv_chunks(["code", "note"], rows))
    # Then it comes in several pieces, none much more than the buffer, with every row once
    assert len(chunks) > 5
    assert max(len(c) for c in chunks) < BUFFER + 200
    parsed = _parsed(chunks)
    assert parsed[0] == ["code", "note"] and len(parsed) == 5001
    assert b"".join(chunks).endswith(b"\r\n")


def test_a_row_of_another_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells under 3 columns"):
        list(csv_chunks(["a", "b", "c"], [["1", "2"]]))


def test_the_response_is_an_attachment_of_csv_text() -> None:
    response = csv_response(["a"], [], 'items "all".csv')
    assert response.media_type == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="items__all_.csv"'
