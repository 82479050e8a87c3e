"""Scale-out on PostgreSQL: two `celltrace serve` processes and one `celltrace worker` share
one database on loopback; concurrent clients record steps through both servers. Afterwards
the ledger verifies, the read models are complete and no event is lost or duplicated."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from ledger.config import Settings
from ledger.integrity.verify import LedgerReader, verify_database
from tests.processes import STARTUP_BOUND, Server, celltrace_env

pytestmark = pytest.mark.postgres

CLIENTS = 4
REGISTRATIONS_EACH = 6
PASSWORD = "scale-out password"


def _celltrace(settings: Settings, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        env=celltrace_env(settings),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def cluster(pg_settings: Settings) -> Iterator[tuple[list[str], str]]:
    _celltrace(pg_settings, "init")
    admin = _celltrace(
        pg_settings,
        "users",
        "add",
        "--role",
        "administrator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    ).splitlines()[-1]
    _celltrace(pg_settings, "users", "train", admin, "people.administer", "--sop", "SOP-1")
    worker = subprocess.Popen(
        [sys.executable, "-m", "ledger", "worker"],
        env=celltrace_env(pg_settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    servers = [
        Server(celltrace_env(pg_settings), pg_settings.data_dir / f"serve-{n}.log")
        for n in range(2)
    ]
    try:
        for server in servers:
            server.wait_ready()
        yield [server.base for server in servers], admin
    finally:
        for server in servers:
            server.stop()
        worker.terminate()
        worker.wait(timeout=STARTUP_BOUND)


def test_r_led_3_two_servers_and_a_worker_lose_and_duplicate_nothing(
    cluster: tuple[list[str], str], pg_settings: Settings
) -> None:
    bases, admin = cluster
    created: list[str] = []
    conflicts: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        # Each client alternates between the two servers, retrying after a conflict (409)
        with httpx.Client(timeout=30) as http:
            tokens = {}
            for base in bases:
                r = http.post(
                    f"{base}/api/v1/auth/token", data={"username": admin, "password": PASSWORD}
                )
                tokens[base] = r.json()["access_token"]
            for i in range(REGISTRATIONS_EACH):
                base = bases[(n + i) % 2]
                for _ in range(20):  # bounded retries
                    r = http.post(
                        f"{base}/api/v1/people",
                        json={"roles": ["operator"]},
                        headers={"Authorization": f"Bearer {tokens[base]}"},
                    )
                    if r.status_code == 409 and r.json()["error"] == "conflict":
                        with lock:
                            conflicts.append(1)
                        continue
                    break
                with lock:
                    if r.status_code == 201:
                        created.append(r.json()["code"])
                    else:
                        errors.append(r.text)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    # Every registration landed once, with its own code
    assert not errors, errors[:3]
    assert len(created) == CLIENTS * REGISTRATIONS_EACH
    assert len(set(created)) == len(created)
    # The worker's read models reach the last event and list every person
    last = LedgerReader(pg_settings.database).last_notification_id()
    signed_in = httpx.post(
        f"{bases[0]}/api/v1/auth/token", data={"username": admin, "password": PASSWORD}
    )
    reader = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    for code in created:
        item = httpx.get(
            f"{bases[0]}/api/v1/items/{code}", params={"after": last}, headers=reader, timeout=30
        )
        assert item.status_code == 200, item.text
    # And the chain verifies: nothing lost, nothing duplicated, order = notification order
    report = verify_database(pg_settings.database)
    assert report.intact, report.first_break
    records = list(LedgerReader(pg_settings.database).records())
    ids = [r.notification_id for r in records]
    assert ids == sorted(set(ids))
    registered = [r for r in records if r.topic.endswith("Person.Registered")]
    assert len(registered) == 1 + len(created)  # the administrator and every new person
