"""How `celltrace serve` runs the API under uvicorn, in one place, so that a benchmark serves
its baseline endpoint the same way (bench/api.py).

uvicorn picks httptools and uvloop when they are installed (`uvicorn[standard]`, a dependency).
Its access log (one line per request, written while the answer is sent) is off unless asked
for: reads of records are recorded in the access log of the ledger (R-ACC-2), not here.
"""

from __future__ import annotations

from starlette.types import ASGIApp

LOG_LEVEL = "info"


def run(app: ASGIApp, host: str, port: int, *, access_log: bool = False) -> None:
    """Serve `app` until stopped (Ctrl-C, SIGTERM)."""
    import uvicorn

    uvicorn.run(
        app, host=host, port=port, log_level=LOG_LEVEL, access_log=access_log, log_config=None
    )


FACTORY = "ledger.api.app:app_from_env"
"""What each of several server processes imports to build its app from the environment."""


def run_workers(workers: int, host: str, port: int, *, access_log: bool = False) -> None:
    """Serve with `workers` processes on one port (uvicorn's supervisor restarts one that
    dies); each builds its app with `FACTORY` from the same environment."""
    import uvicorn

    uvicorn.run(
        FACTORY,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=LOG_LEVEL,
        access_log=access_log,
        log_config=None,
    )
