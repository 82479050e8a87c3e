"""Logs of the server, the worker and the commands (docs/operations.md "Logs"): Python's
`logging`, configured once per process from CELLTRACE_LOG_LEVEL and CELLTRACE_LOG_FORMAT, on
standard error (systemd's journal or the container's log collects it).

`text` is one readable line per record; `json` is one JSON object per line with `time` (UTC,
ISO 8601), `level`, `logger`, `message`, the record's `extra` fields and, for an error, its
`exception`. Logs carry item and person codes, never personal data: names, birth dates and
contacts exist only in the key store and are never formatted into a message.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

_HANDLER_NAME = "celltrace"
# attributes every LogRecord has; anything else on a record came from `extra=`
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record (and line)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "info", fmt: str = "text", stream: IO[str] | None = None) -> None:
    """Send every logger's records at `level` and above to `stream` (standard error) in `fmt`;
    calling it again replaces the earlier configuration (never doubles the lines)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Alembic says at info what it is about to do on every check; CellTrace logs the revisions run
    logging.getLogger("alembic").setLevel(max(root.level, logging.WARNING))
    # uvicorn's own loggers pass their records on to this handler
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
