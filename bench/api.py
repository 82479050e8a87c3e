"""HTTP API throughput on loopback: one `celltrace serve` on SQLite against a bare FastAPI
endpoint served the same way, with a bounded asyncio load generator (same run, same machine).

Reads: GET /api/v1/items/{code}; writes: POST /api/v1/people (a recorded, hash-chained step);
the bedside check: POST /api/v1/bedside/verify (R-CLN-2) of a released vial for an enrolled
patient, on the demo's clinic with its study resumed, so the answer is go.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
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
READS = 2000
WRITES = 300
VERIFIES = 600
#: The demo's staff, registered in this order after its administrator (ledger.demo.records).
ROLES = (("pharmacist", 6), ("investigator", 8))
PASSWORD = "benchmark password"

BARE_APP = """
from fastapi import FastAPI
app = FastAPI()
@app.get("/ping")
def ping() -> dict[str, str]:
    return {"code": "PER-F01-26-000001-D", "status": "active"}
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
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


def _row(name: str, latencies: list[float], elapsed: float) -> str:
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000
    p99 = lat[int(len(lat) * 0.99) - 1] * 1000
    return f"| {name} | {len(lat) / elapsed:,.0f} | {p50:.1f} | {p99:.1f} |"


def _measure(
    url: str, count: int, method: str = "GET", **kwargs: object
) -> tuple[list[float], float]:
    start = time.perf_counter()
    latencies = asyncio.run(_load(url, count, method, **kwargs))
    return latencies, time.perf_counter() - start


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
        check = {
            "vial": vial,
            "patient": patient,
            "dose": 1.0,
            "route": "intravenous",
        }
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
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        env = {**os.environ, "CELLTRACE_DATA_DIR": str(data)}
        env.pop("CELLTRACE_DATABASE_URL", None)
        pharmacist, check = _clinic(Settings.from_env(env))
        run = [sys.executable, "-m", "ledger"]
        admin = subprocess.run(
            [*run, "users", "add", "--role", "administrator", "--password-stdin"],
            env=env,
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        subprocess.run(
            [*run, "users", "train", admin, "people.administer", "--sop", "SOP-1"],
            env=env,
            capture_output=True,
            check=True,
        )
        port, bare_port = _port(), _port()
        (data / "bare.py").write_text(BARE_APP)
        servers = [
            subprocess.Popen(
                [*run, "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare:app",
                    "--port",
                    str(bare_port),
                    "--log-level",
                    "warning",
                ],
                cwd=data,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        ]
        try:
            base, bare = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
            _wait(f"{base}/openapi.json")
            _wait(f"{bare}/ping")
            headers = _token(base, admin)
            write_lat, write_time = _measure(
                f"{base}/api/v1/people",
                WRITES,
                "POST",
                json={"roles": ["operator"]},
                headers=headers,
            )
            read_lat, read_time = _measure(f"{base}/api/v1/items/{admin}", READS)
            verify_lat, verify_time = _measure(
                f"{base}/api/v1/bedside/verify",
                VERIFIES,
                "POST",
                json=check,
                headers=_token(base, pharmacist),
            )
            bare_lat, bare_time = _measure(f"{bare}/ping", READS)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
    rows = [
        _row("GET /api/v1/items/{code}", read_lat, read_time),
        _row("POST /api/v1/people (recorded step)", write_lat, write_time),
        _row("POST /api/v1/bedside/verify (go)", verify_lat, verify_time),
        _row("bare FastAPI GET /ping", bare_lat, bare_time),
    ]
    ratio = (len(read_lat) / read_time) / (len(bare_lat) / bare_time)
    verify_ratio = (len(verify_lat) / verify_time) / (len(read_lat) / read_time)
    verify_p50 = statistics.median(verify_lat) / statistics.median(read_lat)
    for row in rows:
        print(row, flush=True)
    body = f"""## HTTP API (one `celltrace serve` on SQLite, loopback)

Machine: {machine()}; {os.environ.get("CELLTRACE_BENCH_NOTE", "a small, noisy machine")}. One run;
{CONCURRENCY} concurrent connections from an asyncio client on the same 2 cores as the server
(so both compete for CPU); {READS} reads, {WRITES} writes and {VERIFIES} bedside checks. The
bedside check is of a released vial dispensed for a new subject (study resumed): go.

| request | requests/s | p50 ms | p99 ms |
|---|---|---|---|
{chr(10).join(rows)}

Item reads reach {ratio:.2f}x the throughput of a bare FastAPI endpoint served by the same
uvicorn. A bedside check loads the vial, its shipment, the patient, the study and the donors
from the event store and decides every R-CLN-2 rule: {verify_ratio:.2f}x the throughput of an
item read, with a median latency {verify_p50:.1f}x an item read's. Targets: at least 300
req/s and p99 < 50 ms for the reads."""
    write_section("api", body)


if __name__ == "__main__":
    main()
