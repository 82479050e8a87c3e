"""One signed-in person per role for reading through the API (R-ACC-1): registered from the
server console (as `celltrace users add` does) with a known password."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ledger.application import SYSTEM
from ledger.bootstrap import open_ledger
from ledger.config import Settings
from ledger.domain.people import Role
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials

READER_PASSWORD = "reader test password"


def register_readers(settings: Settings) -> dict[str, str]:
    """Person code by role name, one person holding just that role."""
    ledger = open_ledger(settings)
    try:
        codes = {role.value: ledger.register_person(SYSTEM, [role.value])[0] for role in Role}
    finally:
        ledger.close()
    credentials = Credentials(create_db_engine(settings))
    credentials.create_tables()
    for code in codes.values():
        credentials.set_password(code, READER_PASSWORD)
    credentials.engine.dispose()
    return codes


def token_of(client: TestClient, code: str, password: str = READER_PASSWORD) -> str:
    answer = client.post("/api/v1/auth/token", data={"username": code, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def bearer(client: TestClient, code: str, password: str = READER_PASSWORD) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(client, code, password)}"}


def readers_of(client: TestClient) -> dict[str, str]:
    """One person per role registered in the served ledger (once per app)."""
    state = client.app.state  # type: ignore[attr-defined]
    codes: dict[str, str] | None = getattr(state, "test_readers", None)
    if codes is None:
        ctx = state.ctx
        codes = {role.value: ctx.ledger.register_person(SYSTEM, [role.value])[0] for role in Role}
        for code in codes.values():
            ctx.credentials.set_password(code, READER_PASSWORD)
        state.test_readers = codes
    return codes


def as_role(client: TestClient, role: str) -> dict[str, str]:
    """Bearer headers of a person holding just `role`, signed in now."""
    return bearer(client, readers_of(client)[role])
