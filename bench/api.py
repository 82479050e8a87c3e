"""HTTP API cost on loopback: `python -m bench api [--quick]`.

One `celltrace serve` on SQLite against a bare FastAPI endpoint served by the same uvicorn with
the same settings (`ledger.api.serving.run`, as `celltrace serve` runs it: same log level, same
access log, same HTTP parser and event loop), in the same run. What is compared is the server
process's CPU time per request (utime + stime from /proc/<pid>/stat, so the load generator,
which runs on the same cores, is not counted): rounds of requests alternate between the two
servers and the medians are reported.

Reads: GET /api/v1/items/{code} signed in (the role check and the access-log row each read
writes, R-ACC-1/R-ACC-2, included). The full run also measures writes (POST /api/v1/people, a
recorded, hash-chained step) and the bedside check (POST /api/v1/bedside/verify, R-CLN-2) of a
released vial for an enrolled patient on the demo's clinic with its study resumed (go).
`--quick` (under a minute) measures the reads only on a new ledger and writes nothing to the
docs. The last line printed is the ratios as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import machine, write_section
from ledger.application import Actor
from ledger.bootstrap import open_ledger
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.domain.patient import Consent
from ledger.identifiers import ItemType, format_code
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials

CONCURRENCY = 8
#: The demo's staff, registered in this order after its administrator (ledger.demo.records).
ROLES = (("pharmacist", 6), ("investigator", 8))
PASSWORD = "benchmark password"
TICK = os.sysconf("SC_CLK_TCK")

BARE_APP = """
import sys

from fastapi import FastAPI

from ledger.api.serving import run

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"code": "PER-F01-26-000001-D", "status": "active"}


run(app, "127.0.0.1", int(sys.argv[1]))
"""


@dataclass(frozen=True)
class Plan:
    rounds: int
    reads: int
    writes: int
    verifies: int


FULL = Plan(rounds=5, reads=2000, writes=300, verifies=600)
QUICK = Plan(rounds=3, reads=1000, writes=0, verifies=0)


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the process `pid` has used so far, all threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


async def _load(url: str, count: int, method: str = "GET", **kwargs: object) -> list[float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            queue.get_nowait()
            start = time.perf_counter()
            response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
            if response.status_code >= 400 and response.status_code != 409:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
            latencies.append(time.perf_counter() - start)

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    return latencies


@dataclass
class Series:
    """Rounds of one kind of request to one server: CPU per request, latencies, throughput."""

    cpu_per_request: list[float]
    latencies: list[float]
    rates: list[float]

    @property
    def cpu_rate(self) -> float:
        """Requests per server-CPU-second (median over the rounds)."""
        return 1 / statistics.median(self.cpu_per_request)

    def row(self, name: str) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[max(int(len(lat) * 0.99) - 1, 0)] * 1000
        cpu_us = statistics.median(self.cpu_per_request) * 1e6
        return (
            f"| {name} | {cpu_us:,.0f} | {self.cpu_rate:,.0f} | "
            f"{statistics.median(self.rates):,.0f} | {p50:.1f} | {p99:.1f} |"
        )


def _round(series: Series, pid: int, url: str, count: int, **kwargs: object) -> None:
    before, start = server_cpu(pid), time.perf_counter()
    latencies = asyncio.run(_load(url, count, **kwargs))
    elapsed, cpu = time.perf_counter() - start, server_cpu(pid) - before
    series.cpu_per_request.append(cpu / count)
    series.latencies.extend(latencies)
    series.rates.append(count / elapsed)


def _clinic(settings: Settings) -> tuple[str, dict[str, object]]:
    """The demo's ledger with its paused study resumed and a new subject for whom the demo's
    second released vial is dispensed: returns the demo's pharmacist (with PASSWORD) and a go
    bedside check of that vial for that subject."""
    run_demo(settings, lambda _line: None)
    app = open_ledger(settings)
    try:
        year = app.clock().year
        person = {role: format_code(ItemType.PERSON, "F01", year, n) for role, n in ROLES}
        dosed = app.get_patient(format_code(ItemType.PATIENT, "F01", year, 1))
        app.credentials.set_password(person["investigator"], PASSWORD)  # the decision is signed
        investigator = Actor(person["investigator"], "investigator").signed(PASSWORD)
        app.record_ethics_decision(investigator, dosed.study, "resume", "EC-BENCH-1", "benchmark")
        consent = Consent(form_version="ICF v2.0", signed_on=app.today())
        patient, _ = app.enrol_patient(investigator, dosed.study, dosed.site, "high", consent)
        vial = format_code(ItemType.PRODUCT_VIAL, "F01", year, 2)
        app.dispense(Actor(person["pharmacist"], "pharmacist"), patient, "Ward 5", vial)
        check = {"vial": vial, "patient": patient, "dose": 1.0, "route": "intravenous"}
        decision = app.verify_bedside(str(check["vial"]), patient, 1.0, "intravenous")
        if not decision.go:
            raise RuntimeError(f"the benchmark's bedside check is not go: {decision.reasons}")
    finally:
        app.close()
    credentials = Credentials(create_db_engine(settings))
    credentials.create_tables()
    credentials.set_password(person["pharmacist"], PASSWORD)
    credentials.engine.dispose()
    return person["pharmacist"], check


def _token(base: str, person: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": person, "password": PASSWORD}
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def measure(plan: Plan, data: Path) -> dict[str, Series]:
    env = {**os.environ, "CELLTRACE_DATA_DIR": str(data)}
    env.pop("CELLTRACE_DATABASE_URL", None)
    pharmacist, check = "", {}
    if plan.verifies:
        pharmacist, check = _clinic(Settings.from_env(env))
    else:
        _cli(env, "init")
    admin = _cli(
        env, "users", "add", "--role", "administrator", "--password-stdin", stdin=PASSWORD + "\n"
    ).split()[-1]
    if plan.writes:
        _cli(env, "users", "train", admin, "people.administer", "--sop", "SOP-1")
    port, bare_port = _port(), _port()
    (data / "bare.py").write_text(BARE_APP)
    quiet = subprocess.DEVNULL
    served = subprocess.Popen(
        [sys.executable, "-m", "ledger", "serve", "--port", str(port)],
        env=env,
        stdout=quiet,
        stderr=quiet,
    )
    bare_server = subprocess.Popen(
        [sys.executable, "bare.py", str(bare_port)], cwd=data, stdout=quiet, stderr=quiet
    )
    found: dict[str, Series] = {}
    try:
        base, bare = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        _wait(f"{base}/openapi.json")
        _wait(f"{bare}/ping")
        headers = _token(base, admin)
        item = f"{base}/api/v1/items/{admin}"
        _wait(item, headers)  # the read models have the administrator
        # warm both servers up (imports, caches, the thread pool)
        asyncio.run(_load(item, 200, headers=headers))
        asyncio.run(_load(f"{bare}/ping", 200))

        def series(name: str) -> Series:
            return found.setdefault(name, Series([], [], []))

        runs: list[Callable[[], None]] = [
            lambda: _round(series("read"), served.pid, item, plan.reads, headers=headers),
            lambda: _round(series("bare"), bare_server.pid, f"{bare}/ping", plan.reads),
        ]
        if plan.writes:
            writes = {"method": "POST", "json": {"roles": ["operator"]}, "headers": headers}
            runs.append(
                lambda: _round(
                    series("write"), served.pid, f"{base}/api/v1/people", plan.writes, **writes
                )
            )
        if plan.verifies:
            verify = {"method": "POST", "json": check, "headers": _token(base, pharmacist)}
            runs.append(
                lambda: _round(
                    series("verify"),
                    served.pid,
                    f"{base}/api/v1/bedside/verify",
                    plan.verifies,
                    **verify,
                )
            )
        for _ in range(plan.rounds):
            for run in runs:
                run()
    finally:
        for server in (served, bare_server):
            server.terminate()
            server.wait(timeout=30)
    return found


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    plan = QUICK if quick else FULL
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        found = measure(plan, Path(tmp))
    load_after = os.getloadavg()
    read, bare = found["read"], found["bare"]
    ratio = read.cpu_rate / bare.cpu_rate
    names = {
        "read": "GET /api/v1/items/{code} (signed in, recorded read)",
        "write": "POST /api/v1/people (recorded step)",
        "verify": "POST /api/v1/bedside/verify (go)",
        "bare": "bare FastAPI GET /ping",
    }
    rows = [found[key].row(name) for key, name in names.items() if key in found]
    for row in rows:
        print(row, flush=True)
    result = {
        "item_read_vs_bare_by_server_cpu": round(ratio, 3),
        "item_reads_per_server_cpu_s": round(read.cpu_rate),
        "bare_per_server_cpu_s": round(bare.cpu_rate),
    }
    if "verify" in found:
        result["bedside_vs_item_read_by_server_cpu"] = round(
            found["verify"].cpu_rate / read.cpu_rate, 3
        )
    if not quick:
        _write(plan, rows, ratio, read, found, load, load_after)
    print(json.dumps(result))


def _write(
    plan: Plan,
    rows: list[str],
    ratio: float,
    read: Series,
    found: dict[str, Series],
    load: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    verify_ratio = found["verify"].cpu_rate / read.cpu_rate
    body = f"""## HTTP API (one `celltrace serve` on SQLite, loopback)

Machine: {machine()}; load average {load[0]:.1f} at the start, {load_after[0]:.1f} at the
end (the machine is shared: wall-clock rates and latencies are noisy, server CPU time much
less). {plan.rounds} rounds, each of {plan.reads} item reads, {plan.reads} bare requests,
{plan.writes} writes and {plan.verifies} bedside checks, alternating; {CONCURRENCY} concurrent
connections from an asyncio client on the same cores. Server CPU is the server process's
user + system time over the round (/proc/<pid>/stat), per request; medians over the rounds
(`celltrace serve`'s includes its in-process read models, about 3% of a core when idle).
Both servers run under uvicorn through `ledger.api.serving.run` (`celltrace serve`'s settings:
uvicorn's access log off, httptools and uvloop). The bedside check is of a released vial
dispensed for a new subject (study resumed): go.

| request | server CPU µs each | per server-CPU-second | per second (wall) | p50 ms | p99 ms |
|---|---|---|---|---|---|
{chr(10).join(rows)}

Item reads reach {ratio:.2f}x the bare endpoint's requests per server-CPU-second
({read.cpu_rate:,.0f} per CPU-second; targets >= 0.6x and >= 1,500). Each read checks the
session and the role (R-ACC-1) and appends a hash-chained access-log row (R-ACC-2). A bedside
check loads the vial, its shipment, the patient, the study and the donors from the event store
and decides every R-CLN-2 rule: {verify_ratio:.2f}x an item read's requests per CPU-second.

{BEFORE}"""
    write_section("api", body)


BEFORE = """What changed: uvicorn's access log off by default (`celltrace serve --access-log`
turns it on) and `uvicorn[standard]` (httptools, uvloop); the bare endpoint now runs with the
same settings (it ran at `--log-level warning` while `celltrace serve` logged every request at
`info`). The security headers are added by a plain ASGI middleware instead of a
`BaseHTTPMiddleware` (a task and a body stream per request). `get_context` and `wait_after`
are `async` (no worker-thread hop; `?after=` still waits in a thread), and the item route runs
its reads and the check of its answer in one worker thread instead of two hops. A router none
of whose routes' paths matches the request's path is skipped with one regular expression
(`ledger/api/routing.py`; the items router is the 16th of 24 and was tried after ~120 routes).
The session and item lookups use statements built once, and access-log entries that arrive
together are committed together (group commit: one transaction and one fsync for all queued,
each answer leaving only once its own entry is committed).

Before, measured once with this benchmark (`--quick`: 3 rounds of 1,000) on the previous code
and packages (h11 and asyncio, uvicorn's access log on at `info` for both servers): item reads
6,140 µs of server CPU each (163 per CPU-second), the bare endpoint 710 µs (1,408 per
CPU-second): 0.12x.

Where the time goes now (profiles of the server): about half on the event loop thread
(FastAPI's dependency solving for the route's four dependencies, the two worker-thread hops,
routing through FastAPI's included routers, the response) and half in the worker threads: the
access-log append (select the head, insert, commit with fsync: the fsync alone costs about
200 µs of CPU on this machine, shared by the reads committed together), the session lookup
and the item card, each through SQLAlchemy Core. The targets (0.6x, 1,500 per CPU-second) are
not reached: the bare endpoint does none of the sign-in check, the role check or the durable
access-log row each read must do."""
