"""Lists as CSV files, streamed: `csv_response(columns, rows, filename)` writes the header and
then each row as it comes from `rows`, a few kilobytes at a time, so an export of any length
needs the memory of one buffer, not of the file (pass rows that are read in chunks, e.g.
`ledger.projections.item_list.iter_items`).

RFC 4180 text (comma-separated, CRLF line ends, fields quoted when needed), UTF-8. Cells are
guarded against formula injection as OWASP's "CSV Injection" page recommends: a text cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote,
so a spreadsheet shows it as text instead of running it. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from fastapi.responses import StreamingResponse

MEDIA_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BUFFER = 64 * 1024  # bytes of text sent at a time


def csv_response(
    columns: Sequence[str], rows: Iterable[Sequence[object]], filename: str
) -> StreamingResponse:
    """A streamed CSV download: a header row naming `columns`, then `rows` (None is empty)."""
    return StreamingResponse(
        csv_chunks(columns, rows),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_safe_name(filename)}"'},
    )


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """The CSV text of `columns` and `rows`, in pieces of about `BUFFER` bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([guard(c) for c in columns])
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row of {len(row)} cells under {len(columns)} columns")
        writer.writerow([guard(cell) for cell in row])
        if buffer.tell() >= BUFFER:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def guard(cell: object) -> object:
    """A cell as written: text that a spreadsheet would run as a formula gets a leading single
    quote (OWASP CSV Injection); None is empty; numbers and other values as `str()` gives."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _safe_name(filename: str) -> str:
    """The file name for Content-Disposition: letters, digits, dots, dashes, underscores."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
